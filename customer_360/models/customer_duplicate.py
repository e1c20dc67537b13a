import logging
import time

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, LazyTranslate

from ..engine import quality

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

STEWARD_GROUP = "customer_360.group_customer_360_data_steward"
# Core's merge refuses more than 3 partners at once: a destination and two sources per round.
MERGE_CHUNK = 2
# pg_trgm's similarity operator. Odoo's SQL() refuses "%%" in a formatted string, so the operator is
# its own fragment; the queries using it always have parameters, so psycopg2 turns "%%" into "%".
TRGM_MATCH = SQL("%%")
# CTEs of the prefix-filtered joins: from a ``grams (id, gram)`` CTE, each item's grams numbered
# from the rarest (``position``), with the item's gram count (``size``).
RAREST_FIRST = SQL(
    """frequency AS (SELECT gram, count(*) AS uses FROM grams GROUP BY gram),
                   ordered AS (
                        SELECT g.id, g.gram,
                               row_number() OVER (PARTITION BY g.id ORDER BY f.uses, g.gram) AS position,
                               count(*) OVER (PARTITION BY g.id) AS size
                          FROM grams g JOIN frequency f ON f.gram = g.gram
                   )"""
)
# Why a pair matched, as stored in ``reasons`` (English) and shown in the reader's language.
REASON_LABELS = {
    "same USCC": _lt("same USCC"),
    "same name core": _lt("same name core"),
    "same pinyin": _lt("same pinyin"),
    "similar name": _lt("similar name"),
    "one letter apart": _lt("one letter apart"),
    "same email": _lt("same email"),
    "same mobile": _lt("same mobile"),
    "same phone": _lt("same phone"),
    "same VAT": _lt("same VAT"),
}


class CustomerDuplicate(models.Model):
    _name = "customer.duplicate"
    _description = "Customer duplicate candidates"
    _inherit = ["mail.thread"]
    _order = "state, score desc, id"

    name = fields.Char(compute="_compute_name", store=True)
    partner_ids = fields.Many2many(
        "res.partner",
        "customer_duplicate_partner_rel",
        "duplicate_id",
        "partner_id",
        string="Customers",
        required=True,
    )
    partner_count = fields.Integer(compute="_compute_name", store=True, string="Customers in group")
    master_partner_id = fields.Many2one(
        "res.partner",
        string="Keep",
        ondelete="set null",
        domain="[('id', 'in', partner_ids)]",
        help="The customer that remains after the merge; the oldest active one when empty.",
    )
    score = fields.Float(digits=(5, 2), aggregator="max", help="Highest pair score in the group (0-100).")
    reasons = fields.Char(help="Signals that matched: name, pinyin, USCC, email, phone, VAT.")
    reason_labels = fields.Char(string="Matched on", compute="_compute_reason_labels")
    state = fields.Selection(
        [("open", "To review"), ("merged", "Merged"), ("dismissed", "Not a duplicate")],
        default="open",
        required=True,
        index=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", help="Set when all the customers of the group belong to one company."
    )
    merged_partner_names = fields.Text(readonly=True)
    merged_date = fields.Datetime(readonly=True)

    @api.depends("partner_ids.name")
    def _compute_name(self):
        for group in self:
            names = group.partner_ids.mapped("name")
            group.partner_count = len(group.partner_ids)
            group.name = " / ".join(dict.fromkeys(name for name in names if name))[:200] or _("Merged group")

    @api.depends("reasons")
    def _compute_reason_labels(self):
        for group in self:
            labels = [part.strip() for part in (group.reasons or "").split(",") if part.strip()]
            group.reason_labels = ", ".join(
                group.env._(REASON_LABELS[label]) if label in REASON_LABELS else label for label in labels
            )

    # ------------------------------------------------------------------
    # Detection
    # ------------------------------------------------------------------
    @api.model
    def _candidate_pairs(self, params, partner_ids=None):
        """Scored candidate pairs [(a, b, score, reasons)] among active commercial partners.

        Candidates come from set-based joins: pg_trgm similarity of the name keys, equal
        emails, phones, VAT numbers and USCCs, and for Chinese names equal cores, equal pinyin
        and cores sharing rare bigrams. Each candidate is then scored by ``_score_pair``; pairs
        marked "not a duplicate" are left out. ``partner_ids`` limits the search to pairs
        involving those customers (the warning on create, the import check)."""
        cr = self.env.cr
        self.env.flush_all()
        name_threshold = self._name_join_threshold(params)
        cr.execute(SQL("SET LOCAL pg_trgm.similarity_threshold = %s", name_threshold))
        # The planner cannot count the rows of these CTEs and its estimates run into the
        # billions, which buys seconds of JIT compilation (5 of 9 s at 100k) for nothing.
        cr.execute(SQL("SET LOCAL jit = off"))
        scope = (
            SQL("TRUE")
            if partner_ids is None
            else SQL("(a.id = ANY(%s) OR b.id = ANY(%s))", list(partner_ids), list(partner_ids))
        )
        base = SQL(
            """SELECT id, name AS nm, customer_name_normalized AS n, email_normalized AS e,
                      %(phone)s AS ph, customer_vat_normalized AS v,
                      customer_uscc_normalized AS u, customer_name_core AS c, customer_name_pinyin AS py,
                      coalesce(customer_name_place, '') AS pl, is_company AS co,
                      (CASE WHEN email_normalized IS NULL THEN 0 ELSE 1 END
                       + CASE WHEN customer_phone_normalized IS NULL THEN 0 ELSE 2 END
                       + CASE WHEN customer_vat_normalized IS NULL THEN 0 ELSE 4 END) AS mask
                 FROM res_partner WHERE active AND parent_id IS NULL""",
            phone=self._phone_match_key(SQL.identifier("customer_phone_normalized")),
        )
        if partner_ids is None:
            name_pairs = SQL(
                "%s UNION %s",
                self._name_pairs_all(name_threshold, self._name_only_masks(params)),
                self._slip_pairs_all(),
            )
            similar_cores = self._similar_core_pairs(self._core_join_threshold(params))
        else:
            name_pairs = self._name_pairs_of(list(partner_ids))
            similar_cores = None
        key_joins = SQL(" ").join(
            SQL(
                "UNION SELECT a.id, b.id FROM p a JOIN p b ON a.%s = b.%s AND a.id < b.id WHERE %s",
                SQL.identifier(column),
                SQL.identifier(column),
                scope,
            )
            for column in ("e", "ph", "v", "u")
        )
        cr.execute(
            SQL(
                """WITH p AS MATERIALIZED (%(base)s),
                    cores AS MATERIALIZED (
                        SELECT c, py, bool_and(co) AS co FROM p WHERE c IS NOT NULL GROUP BY c, py
                    ),
                    close_cores AS MATERIALIZED (%(close_cores)s),
                    pairs AS (%(name_pairs)s %(key_joins)s UNION %(cjk_pairs)s)
                    SELECT pairs.a_id, pairs.b_id,
                           similarity(coalesce(a.n, ''), coalesce(b.n, '')),
                           CASE WHEN a.e IS NULL OR b.e IS NULL THEN NULL ELSE a.e = b.e END,
                           CASE WHEN a.ph IS NULL OR b.ph IS NULL THEN NULL ELSE a.ph = b.ph END,
                           CASE WHEN a.v IS NULL OR b.v IS NULL THEN NULL ELSE a.v = b.v END,
                           CASE WHEN a.u IS NULL OR b.u IS NULL THEN NULL ELSE a.u = b.u END,
                           a.nm, b.nm, a.ph, a.n, b.n
                      FROM pairs
                      JOIN p a ON a.id = pairs.a_id
                      JOIN p b ON b.id = pairs.b_id
                     WHERE NOT EXISTS (
                            SELECT 1 FROM customer_duplicate_dismissal d
                             WHERE d.partner_a_id = pairs.a_id AND d.partner_b_id = pairs.b_id)""",
                base=base,
                close_cores=self._close_cores(similar_cores),
                name_pairs=name_pairs,
                key_joins=key_joins,
                cjk_pairs=self._cjk_name_pairs(params, scope),
            )
        )
        result = []
        for (
            a_id,
            b_id,
            similarity,
            same_email,
            same_phone,
            same_vat,
            same_uscc,
            a_name,
            b_name,
            phone,
            a_key,
            b_key,
        ) in cr.fetchall():
            score, reasons = self._score_pair(
                params,
                similarity,
                quality.cjk_name_key(a_name),
                quality.cjk_name_key(b_name),
                same_email=same_email,
                same_phone=same_phone,
                same_vat=same_vat,
                same_uscc=same_uscc,
                phone_kind=quality.phone_kind(phone),
                one_slip=quality.one_slip_apart(a_key, b_key),
            )
            if score >= params["threshold"]:
                result.append((a_id, b_id, score, reasons))
        return result

    @api.model
    def _phone_match_key(self, column):
        """SQL of ``quality.phone_match_key``: a Chinese number with its country code (86 or
        0086) compares equal to the same number typed nationally (mobile 139..., landline 0592...)."""
        digits = SQL("regexp_replace(%s, '[^0-9]', '', 'g')", column)
        return SQL(
            """CASE WHEN %(d)s ~ '^(0086|86)1[3-9][0-9]{9}$' THEN regexp_replace(%(d)s, '^(0086|86)', '')
                    WHEN %(d)s ~ '^(0086|86)[2-9][0-9]{8,10}$' THEN regexp_replace(%(d)s, '^(0086|86)', '0')
                    ELSE %(column)s END""",
            d=digits,
            column=column,
        )

    @api.model
    def _score_pair(
        self,
        params,
        similarity,
        a_key,
        b_key,
        same_email,
        same_phone,
        same_vat,
        same_uscc,
        phone_kind,
        one_slip=False,
    ):
        """(score 0-100, reasons) of one candidate pair.

        ``similarity`` is the pg_trgm similarity of the Latin name keys, used as before when
        either name is not Chinese. Two Chinese names are compared by ``cjk_name_similarity``
        instead; below the Chinese name threshold they count as different names, and a shared
        email or phone still proposes the pair (a registered and a short name of one company).
        Two Latin name keys one typing slip apart (``one_slip``: Kelize / Keilze) count as
        ``quality.TYPO_SIMILARITY`` similar, whatever their trigrams say.
        The same USCC is one legal entity (100); two different USCCs are two (0)."""
        chinese = bool(a_key and b_key)
        name_reason = "similar name" if similarity >= params["name_similarity"] else None
        if one_slip and not chinese and similarity < quality.TYPO_SIMILARITY:
            similarity, name_reason = quality.TYPO_SIMILARITY, "one letter apart"
        if chinese:
            similarity, name_reason = quality.cjk_name_similarity(a_key, b_key)
            if similarity < params["cjk_name_similarity"]:
                similarity, name_reason = 0.0, None
        reasons = [
            label
            for label, matched in (
                ("same USCC", same_uscc),
                (name_reason, bool(name_reason)),
                ("same email", same_email),
                (f"same {phone_kind}", same_phone),
                ("same VAT", same_vat),
            )
            if matched
        ]
        if same_uscc:
            return 100.0, reasons
        if same_uscc is False:
            return 0.0, reasons
        score = quality.duplicate_score(
            similarity, email=same_email, phone=same_phone, vat=same_vat, weights=params["weights"]
        )
        if chinese and (same_email or same_phone):
            score = max(score, float(params["threshold"]))
        return score, reasons

    @api.model
    def _core_join_threshold(self, params):
        """The bigram similarity of two Chinese name cores worth finding by the names alone."""
        reachable = params["threshold"] / 100.0 if params["weights"]["name"] > 0 else 0.0
        return max(params["cjk_name_similarity"], reachable) - 1e-6

    @api.model
    def _close_cores(self, similar_cores=None):
        """Pairs (a_c, b_c) of distinct Chinese name cores of the ``cores (c, py, co)`` CTE worth
        comparing: each core with itself, and for companies' names cores that read the same
        (茶叶 / 茶业) and ``similar_cores`` when given. Working on the distinct cores keeps the
        joins small when thousands of customers share a core (中盛礼品 in 30 cities). People's
        names are compared exactly: two- and three-character names that read the same are
        mostly different people (张伟 / 章伟), and there are thousands of them."""
        return SQL(
            """SELECT c AS a_c, c AS b_c FROM cores
               UNION SELECT a.c, b.c FROM cores a JOIN cores b ON b.py = a.py AND b.c > a.c
                      WHERE a.co AND b.co
               %s""",
            SQL("UNION %s", similar_cores) if similar_cores is not None else SQL(),
        )

    @api.model
    def _cjk_name_pairs(self, params, scope):
        """Pairs (a_id, b_id) of customers whose Chinese name cores are close (``close_cores``),
        left out before scoring when they cannot be duplicates by their names: two places that
        do not contain each other (北京 / 上海; 深圳 / 广东深圳南山 do), two USCCs (different ones
        score 0, equal ones are found by the USCC join), or keys known on both sides that weigh
        too much for a name alone (``_name_only_masks``).

        Places are compared between the distinct (core, place) groups first, and only the
        customers of compatible groups are paired: a core shared by customers in 30 cities
        would otherwise pair them all before the place is looked at."""
        masks = self._name_only_masks(params)
        return SQL(
            """SELECT LEAST(a.id, b.id), GREATEST(a.id, b.id)
                 FROM (
                      SELECT a.c AS a_c, a.pl AS a_pl, b.c AS b_c, b.pl AS b_pl
                        FROM close_cores cc
                        JOIN (SELECT DISTINCT c, pl FROM p WHERE c IS NOT NULL) a ON a.c = cc.a_c
                        JOIN (SELECT DISTINCT c, pl FROM p WHERE c IS NOT NULL) b ON b.c = cc.b_c
                       WHERE strpos(a.pl, b.pl) > 0 OR strpos(b.pl, a.pl) > 0
                      OFFSET 0
                 ) g
                 JOIN p a ON a.c = g.a_c AND a.pl = g.a_pl
                 JOIN p b ON b.c = g.b_c AND b.pl = g.b_pl AND b.id <> a.id
                WHERE (a.u IS NULL OR b.u IS NULL) AND %s AND %s""",
            SQL("TRUE") if masks is None else SQL("(a.mask & b.mask) = ANY(%s)", masks),
            scope,
        )

    @api.model
    def _similar_core_pairs(self, threshold):
        """Pairs (a_c, b_c) of distinct Chinese name cores whose character bigrams may have a Dice
        of at least ``threshold``: the prefix filtering of ``_name_pairs_all``, on bigrams.

        Dice >= t is Jaccard >= t / (2 - t); two cores above that Jaccard share a bigram among
        the ``size - ceil(j * size) + 1`` rarest of each. The exact score is computed in Python
        on the candidates (``quality.cjk_name_similarity``)."""
        jaccard = threshold / (2.0 - threshold)
        return SQL(
            """SELECT a_c, b_c FROM (
                   WITH grams AS MATERIALIZED (
                        SELECT DISTINCT c AS id, substr(c, i, 2) AS gram
                          FROM cores, generate_series(1, length(c) - 1) AS i
                         WHERE co AND length(c) > 1
                   ),
                   %(rarest_first)s,
                   prefixes AS MATERIALIZED (
                        SELECT id, gram, size FROM ordered
                         WHERE position <= size - ceil(%(j)s * size - 1e-9) + 1
                   )
                   SELECT DISTINCT a.id AS a_c, b.id AS b_c
                     FROM prefixes a JOIN prefixes b ON b.gram = a.gram AND b.id > a.id
                    WHERE b.size >= %(j)s * a.size AND a.size >= %(j)s * b.size
               ) similar_cores""",
            j=jaccard,
            rarest_first=RAREST_FIRST,
        )

    @api.model
    def _slip_pairs_all(self):
        """Pairs (a_id, b_id) of customers whose Latin name keys may be one typing slip apart
        (``quality.one_slip_apart`` decides on the candidates).

        Two strings one change, insertion, deletion or swap of neighbours apart become equal
        once one letter is deleted from each (or from the longer one only): each distinct key is
        joined to the others on itself and its one-letter deletions, an equality hash join."""
        return SQL(
            """SELECT a_id, b_id FROM (
                   WITH names AS MATERIALIZED (
                        SELECT id, customer_name_normalized AS n FROM res_partner
                         WHERE active AND parent_id IS NULL AND customer_name_core IS NULL
                           AND length(customer_name_normalized) BETWEEN %(shortest)s AND 80
                   ),
                   variants AS MATERIALIZED (
                        SELECT n, n AS v FROM (SELECT DISTINCT n FROM names) k
                        UNION ALL
                        SELECT n, overlay(n PLACING '' FROM i FOR 1)
                          FROM (SELECT DISTINCT n FROM names) k, generate_series(1, length(n)) AS i
                   ),
                   close_keys AS (
                        SELECT DISTINCT a.n AS a_n, b.n AS b_n
                          FROM variants a JOIN variants b ON b.v = a.v AND b.n > a.n
                   )
                   SELECT LEAST(a.id, b.id) AS a_id, GREATEST(a.id, b.id) AS b_id
                     FROM close_keys c
                     JOIN names a ON a.n = c.a_n
                     JOIN names b ON b.n = c.b_n
               ) slip_pairs""",
            shortest=quality.TYPO_MIN_LENGTH,
        )

    @api.model
    def _name_join_threshold(self, params):
        """The name similarity a pair needs to be worth finding by its name alone.

        A pair with no email, phone or VAT in common scores at most 100 x its name similarity, so
        below ``threshold / 100`` it can never reach the threshold: searching lower only finds pairs
        that are thrown away. Pairs sharing an exact key are found by the key joins anyway."""
        reachable = params["threshold"] / 100.0 if params["weights"]["name"] > 0 else 0.0
        # A hair lower, as pg_trgm's similarity is a 4-byte float (7/10 reads 0.699999988).
        return max(params["name_similarity"], reachable) - 1e-6

    @api.model
    def _name_only_masks(self, params):
        """Which pairs can reach the threshold on their name alone, by what both sides know.

        A customer's mask says which of email (1), phone (2) and VAT (4) it has. For a pair sharing
        no key, every key known on both sides counts against it, so a pair whose common mask
        weighs too much can never reach the threshold, however similar the names: the name join
        leaves those pairs out before comparing names. Returns the usable common masks."""
        weights = params["weights"]
        usable = []
        for mask in range(8):
            known = sum(weights[key] for bit, key in ((1, "email"), (2, "phone"), (4, "vat")) if mask & bit)
            total = weights["name"] + known
            if total > 0 and 100.0 * weights["name"] / total >= params["threshold"] - 1e-6:
                usable.append(mask)
        return usable

    @api.model
    def _name_pairs_of(self, partner_ids):
        """Pairs (a_id, b_id) with similar names involving ``partner_ids``: one GIN index probe
        per customer (the LATERAL form keeps the planner on the trigram index)."""
        return SQL(
            """SELECT LEAST(a.id, b.id) AS a_id, GREATEST(a.id, b.id) AS b_id
                 FROM res_partner a
                CROSS JOIN LATERAL (
                      SELECT c.id FROM res_partner c
                       WHERE c.customer_name_normalized %(match)s a.customer_name_normalized
                         AND c.active AND c.parent_id IS NULL AND c.id + 0 <> a.id
                      ) b
                WHERE a.active AND a.parent_id IS NULL AND a.customer_name_normalized <> ''
                  AND a.id = ANY(%(ids)s)""",
            match=TRGM_MATCH,
            ids=partner_ids,
        )

    @api.model
    def _name_pairs_all(self, threshold, masks=None):
        """Pairs (a_id, b_id) of all customers whose names have a pg_trgm similarity of at least
        ``threshold``, as one set-based join instead of one index probe per customer.

        pg_trgm's similarity is the Jaccard index of the names' trigram sets. Prefix filtering
        (Chaudhuri et al. 2006; Bayardo et al. 2007) finds every pair above a Jaccard threshold
        t without comparing all pairs: order each name's trigrams from the rarest to the most
        common; two names with similarity >= t share a trigram among the first
        ``size - ceil(t * size) + 1`` of each. Pairs sharing such a trigram, and of compatible
        sizes, are then checked with ``similarity()`` itself, so the result equals the ``%``
        operator's. ``masks`` (see ``_name_only_masks``) leaves out, before comparing names, the
        pairs that could not reach the score threshold whatever their names."""
        return SQL(
            """SELECT a_id, b_id FROM (
                   WITH names AS MATERIALIZED (
                        SELECT id, customer_name_normalized AS n,
                               (CASE WHEN email_normalized IS NULL THEN 0 ELSE 1 END
                                + CASE WHEN customer_phone_normalized IS NULL THEN 0 ELSE 2 END
                                + CASE WHEN customer_vat_normalized IS NULL THEN 0 ELSE 4 END) AS mask
                          FROM res_partner
                         WHERE active AND parent_id IS NULL AND customer_name_normalized <> ''
                   ),
                   grams AS MATERIALIZED (
                        SELECT id, gram FROM names, unnest(show_trgm(n)) AS gram
                   ),
                   %(rarest_first)s,
                   prefixes AS MATERIALIZED (
                        SELECT o.id, o.gram, o.size, n.mask FROM ordered o JOIN names n ON n.id = o.id
                         WHERE o.position <= o.size - ceil(%(t)s * o.size - 1e-9) + 1
                   ),
                   candidates AS (
                        SELECT DISTINCT a.id AS a_id, b.id AS b_id
                          FROM prefixes a JOIN prefixes b ON b.gram = a.gram AND b.id > a.id
                         WHERE b.size >= %(t)s * a.size AND a.size >= %(t)s * b.size AND %(usable)s
                   )
                   SELECT c.a_id, c.b_id FROM candidates c
                     JOIN names a ON a.id = c.a_id
                     JOIN names b ON b.id = c.b_id
                    WHERE similarity(a.n, b.n) >= %(t)s
               ) name_pairs""",
            t=threshold,
            rarest_first=RAREST_FIRST,
            usable=SQL("TRUE") if masks is None else SQL("(a.mask & b.mask) = ANY(%s)", list(masks)),
        )

    @api.model
    def _find_duplicates(self):
        """Replace the open candidate groups by a fresh detection over all customers.
        Groups already merged or dismissed stay as history. Returns the open groups."""
        started = time.monotonic()
        params = self.env["res.config.settings"]._customer_quality_params()
        pairs = self._candidate_pairs(params)
        best = {}
        for a_id, b_id, score, reasons in pairs:
            best[(a_id, b_id)] = (score, reasons)
        groups = quality.group_pairs([(a_id, b_id) for a_id, b_id, _score, _reasons in pairs])
        self.search([("state", "=", "open")]).unlink()
        company_of = {}
        if groups:
            flat = [pid for group in groups for pid in group]
            self.env.cr.execute(SQL("SELECT id, company_id FROM res_partner WHERE id = ANY(%s)", flat))
            company_of = dict(self.env.cr.fetchall())
        vals_list = []
        for group in groups:
            members = set(group)
            scores = [(score, reasons) for (a_id, b_id), (score, reasons) in best.items() if a_id in members]
            companies = {company_of.get(pid) for pid in group}
            all_reasons = sorted({reason for _score, reasons in scores for reason in reasons})
            vals_list.append(
                {
                    "partner_ids": [fields.Command.set(group)],
                    "score": max(score for score, _reasons in scores),
                    "reasons": ", ".join(all_reasons),
                    "company_id": companies.pop() if len(companies) == 1 else False,
                }
            )
        created = self.create(vals_list)
        _logger.info(
            "Customer duplicates: %s pairs, %s groups in %.1fs",
            len(pairs),
            len(created),
            time.monotonic() - started,
        )
        return created

    @api.model
    def _cron_find_duplicates(self):
        self._find_duplicates()

    @api.model
    def action_find_duplicates(self):
        """Button of the review screens: same detection as the nightly job."""
        self._check_steward()
        self.sudo()._find_duplicates()
        return {
            "type": "ir.actions.client",
            "tag": "soft_reload",
        }

    # ------------------------------------------------------------------
    # Review
    # ------------------------------------------------------------------
    def _check_steward(self):
        if not (self.env.su or self.env.user.has_group(STEWARD_GROUP)):
            raise AccessError(_("Only a Customer 360 data steward can review and merge duplicates."))

    def action_dismiss(self):
        """Not a duplicate: remember every pair of the group, so it is never proposed again."""
        self._check_steward()
        Dismissal = self.env["customer.duplicate.dismissal"].sudo()
        for group in self.filtered(lambda g: g.state == "open"):
            ids = sorted(group.partner_ids.ids)
            pairs = [(a_id, b_id) for index, a_id in enumerate(ids) for b_id in ids[index + 1 :]]
            Dismissal._remember(pairs)
        self.filtered(lambda g: g.state == "open").sudo().write({"state": "dismissed"})
        return True

    def action_reopen(self):
        self._check_steward()
        for group in self.filtered(lambda g: g.state == "dismissed"):
            self.env["customer.duplicate.dismissal"].sudo().search(
                [("partner_a_id", "in", group.partner_ids.ids), ("partner_b_id", "in", group.partner_ids.ids)]
            ).unlink()
            group.sudo().state = "open"
        return True

    def _merge_destination(self):
        self.ensure_one()
        if self.master_partner_id and self.master_partner_id in self.partner_ids:
            return self.master_partner_id
        # The customer with the oldest record is kept, as it is the one people know.
        return self.partner_ids.sorted(
            lambda p: (not p.active, p.create_date or fields.Datetime.now(), p.id)
        )[0]

    def action_merge(self):
        """Merge each selected group into its kept customer with core's partner merge (orders,
        invoices, tickets, loyalty cards, followers and messages move to the kept customer), in
        rounds of three, then refresh the kept customer's profiles."""
        self._check_steward()
        groups = self.filtered(lambda g: g.state == "open")
        if not groups:
            raise UserError(_("Select at least one group still to review."))
        Merge = self.env["base.partner.merge.automatic.wizard"].sudo()
        kept_ids = []
        for group in groups:
            partners = group.partner_ids.sudo().exists()
            if len(partners) < 2:
                group.sudo().state = "dismissed"
                continue
            destination = group._merge_destination().sudo()
            names = (partners - destination).mapped("display_name")
            sources = partners - destination
            try:
                with self.env.cr.savepoint():
                    for start in range(0, len(sources), MERGE_CHUNK):
                        chunk = sources[start : start + MERGE_CHUNK]
                        Merge._merge((destination | chunk).ids, destination, extra_checks=False)
            except UserError as error:
                raise UserError(
                    _("Group %(group)s could not be merged: %(error)s", group=group.name, error=error.args[0])
                ) from error
            destination.message_post(
                body=_(
                    "Merged duplicates %(names)s (by %(user)s).",
                    names=", ".join(names),
                    user=self.env.user.name,
                )
            )
            group.sudo().write(
                {
                    "state": "merged",
                    "master_partner_id": destination.id,
                    "merged_partner_names": "\n".join(names),
                    "merged_date": fields.Datetime.now(),
                }
            )
            kept_ids.append(destination.id)
        if kept_ids:
            self.env["customer.profile"].sudo().refresh_profiles(partner_ids=kept_ids)
            # Other open groups lost the merged customers: close those left with fewer than two.
            self.sudo().search([("state", "=", "open")]).filtered(lambda g: len(g.partner_ids) < 2).write(
                {"state": "dismissed"}
            )
        return True


class CustomerDuplicateDismissal(models.Model):
    _name = "customer.duplicate.dismissal"
    _description = "Customers confirmed not to be duplicates"
    _rec_name = "partner_a_id"

    partner_a_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True)
    partner_b_id = fields.Many2one("res.partner", required=True, ondelete="cascade", index=True)

    _sql_constraints = [
        (
            "pair_unique",
            "UNIQUE(partner_a_id, partner_b_id)",
            "This pair is already marked as not a duplicate.",
        ),
        ("pair_ordered", "CHECK(partner_a_id < partner_b_id)", "The first customer has the lower id."),
    ]

    @api.model
    def _remember(self, pairs):
        if not pairs:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """INSERT INTO customer_duplicate_dismissal (partner_a_id, partner_b_id, create_uid, create_date,
                                                            write_uid, write_date)
                   SELECT a, b, %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
                     FROM unnest(%(a)s::int[], %(b)s::int[]) AS v(a, b)
                   ON CONFLICT DO NOTHING""",
                uid=self.env.uid,
                a=[min(pair) for pair in pairs],
                b=[max(pair) for pair in pairs],
            )
        )
