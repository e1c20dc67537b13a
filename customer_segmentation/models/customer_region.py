from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

# ISO codes of the countries of each continent, used to seed the continent regions.
CONTINENT_COUNTRIES = {
    "asia": "AE AF AM AZ BD BH BN BT CC CN CX CY GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA "
    "LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TR TW UZ VN YE",
    "europe": "AD AL AT AX BA BE BG BY CH CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE "
    "LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK",
    "africa": "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY "
    "MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW",
    "north_america": "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF "
    "MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI",
    "south_america": "AR BO BR CL CO EC FK GF GY PE PY SR UY VE GS",
    "oceania": "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS",
    "antarctica": "AQ BV HM TF",
}


class CustomerRegion(models.Model):
    _name = "customer.region"
    _description = "Customer region"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Short code, unique, used by imports and integrations.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    country_ids = fields.Many2many(
        "res.country",
        "customer_region_country_rel",
        "region_id",
        "country_id",
        string="Countries",
        help="Customers in these countries belong to the region, unless their state belongs to "
        "another region.",
    )
    state_ids = fields.Many2many(
        "res.country.state",
        "customer_region_state_rel",
        "region_id",
        "state_id",
        string="States / provinces",
        help="Customers in these states belong to the region; a state wins over its country.",
    )
    partner_count = fields.Integer(compute="_compute_partner_count", string="Customers")

    _sql_constraints = [("code_unique", "UNIQUE(code)", "The region code must be unique.")]

    @api.constrains("state_ids", "active")
    def _check_states_in_one_region(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT s.name FROM customer_region_state_rel rel
                     JOIN customer_region r ON r.id = rel.region_id AND r.active
                     JOIN res_country_state s ON s.id = rel.state_id
                    WHERE rel.state_id IN (SELECT state_id FROM customer_region_state_rel
                                            WHERE region_id = ANY(%s))
                    GROUP BY s.id HAVING count(*) > 1""",
                self.ids,
            )
        )
        clashes = [row[0] for row in self.env.cr.fetchall()]
        if clashes:
            raise ValidationError(
                _("A state can belong to one active region only: %(states)s.", states=", ".join(clashes))
            )

    @api.constrains("country_ids", "active")
    def _check_countries_in_one_region(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT c.code FROM customer_region_country_rel rel
                     JOIN customer_region r ON r.id = rel.region_id AND r.active
                     JOIN res_country c ON c.id = rel.country_id
                    WHERE rel.country_id IN (SELECT country_id FROM customer_region_country_rel
                                              WHERE region_id = ANY(%s))
                    GROUP BY c.id HAVING count(*) > 1""",
                self.ids,
            )
        )
        clashes = [row[0] for row in self.env.cr.fetchall()]
        if clashes:
            raise ValidationError(
                _(
                    "A country can belong to one active region only: %(countries)s.",
                    countries=", ".join(clashes),
                )
            )

    def _compute_partner_count(self):
        counts = dict(
            self.env["res.partner"]._read_group(
                [("customer_region_id", "in", self.ids)], ["customer_region_id"], ["__count"]
            )
        )
        for region in self:
            region.partner_count = counts.get(region, 0)

    @api.model_create_multi
    def create(self, vals_list):
        regions = super().create(vals_list)
        self.env["res.partner"]._assign_customer_regions()
        return regions

    def write(self, vals):
        result = super().write(vals)
        if {"country_ids", "state_ids", "active"} & set(vals):
            self.env["res.partner"]._assign_customer_regions()
        return result

    def unlink(self):
        result = super().unlink()
        self.env["res.partner"]._assign_customer_regions()
        return result

    @api.model
    def _seed_continent_countries(self):
        """Link the seeded continent regions to their countries (called from the data file)."""
        countries = {country.code: country.id for country in self.env["res.country"].search([])}
        for key, codes in CONTINENT_COUNTRIES.items():
            region = self.env.ref(f"customer_segmentation.customer_region_{key}", raise_if_not_found=False)
            if not region:
                continue
            ids = [countries[code] for code in codes.split() if code in countries]
            # China is split into its own regions by state; the country still counts for Asia
            # when a Chinese customer has no state.
            region.country_ids = [fields.Command.set(ids)]

    def action_open_partners(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("customer_region_id", "=", self.id)],
        }
