"""Every term a user can read in the four addons is translated in zh_CN and zh_TW, where the
user reads it.

Odoo loads an addon's translation only at the places its .pot names (the ``#:`` lines: a
field's label, an action's name, a view's arch): the .po's entries are merged with the .pot's,
and a term translated in the .po but missing one place from a stale .pot stays English there
(the overview's "Churn risk" title, the "New" and "Churned" bars). So the tests check that
every place Odoo exports is in the addon's .pot, that every term has both translations, and,
with the addons' files loaded into the database, that the overview and the reports read in
Chinese: board titles, the pieces' actions, the labels and values of what the charts group
and measure by, and every field of the SQL-view reports.

After changing terms, refresh the files from a database with the addons installed:
``./setup/i18n DATABASE`` (then translate the new empty msgstr)."""

import re
from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

from odoo.addons.customer_360.tests.overview import board_items

ADDONS = ("customer_360", "customer_segmentation", "customer_lifecycle", "customer_loyalty")
LANGS = ("zh_CN", "zh_TW")
# A text reads in Chinese when it holds a CJK ideograph; one with no English word in it (a range
# "80-99%", an acronym "RFM") reads the same in every language.
CHINESE = re.compile(r"[\u3400-\u9fff]")
ENGLISH_WORD = re.compile(r"[A-Za-z][a-z]+")
# Fields every model has, labelled by Odoo itself.
MAGIC_FIELDS = {"id", "display_name"}


def i18n_path(addon):
    return Path(get_module_path(addon)) / "i18n"


def exported_terms(env, addon):
    """(place, term) of every translatable term Odoo exports for ``addon``; the place is the
    ``#:`` reference Odoo writes for it (code terms without their line, which Odoo writes 0)."""
    for _module, kind, name, res_id, source, _value, _comments in TranslationModuleReader(
        env.cr, modules=[addon]
    ):
        place = f"code:{name}" if kind == "code" else f"{kind}:{name}:{res_id}"
        yield place, source


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_the_templates_name_every_place_of_every_term(self):
        """A term's translation reaches a label, an action or a view only if the addon's .pot
        names that place: any place Odoo exports that the .pot lacks fails, and is named."""
        missing = []
        for addon in ADDONS:
            places = {}
            for entry in polib.pofile(str(i18n_path(addon) / f"{addon}.pot")):
                if not entry.obsolete:
                    places.setdefault(entry.msgid, set()).update(place for place, _line in entry.occurrences)
            for place, term in exported_terms(self.env, addon):
                if place not in places.get(term, ()):
                    missing.append(f"{addon}.pot: {place} {term!r}")
        self.assertFalse(
            missing, f"{len(missing)} places missing from the templates:\n" + "\n".join(sorted(missing)[:60])
        )

    def test_every_term_is_translated_in_both_chinese_scripts(self):
        """Field labels, selection values, menus, actions, views, mail templates and messages
        in code: any term without a zh_CN or zh_TW translation fails, and is named."""
        missing = []
        for addon in ADDONS:
            terms = {term for _place, term in exported_terms(self.env, addon)}
            self.assertTrue(terms, f"{addon} exports no translatable term")
            for lang in LANGS:
                path = i18n_path(addon) / f"{lang}.po"
                translated = (
                    {
                        entry.msgid
                        for entry in polib.pofile(str(path))
                        if entry.msgstr.strip() and not entry.obsolete
                    }
                    if path.exists()
                    else set()
                )
                missing += [f"{addon} {lang}: {term!r}" for term in sorted(terms - translated)]
        self.assertFalse(missing, f"{len(missing)} untranslated terms:\n" + "\n".join(missing[:60]))

    def test_the_overview_and_the_reports_read_in_chinese(self):
        """Loaded from the addons' files, as an install or an update loads them, every string the
        overview and the reports show is Chinese in zh_CN and in zh_TW: board titles, the names
        of the pieces' actions, the labels of the fields they group and measure by, their
        selection values and the addons' own records they group by (lifecycle stages), and
        every field label and selection value of the SQL-view reports."""
        self.env["ir.module.module"]._load_module_terms(list(ADDONS), list(LANGS), overwrite=True)
        self.env.registry.clear_cache()
        self.env.invalidate_all()
        english = []
        for lang in LANGS:
            env = self.env(context=dict(self.env.context, lang=lang))
            english += [
                f"{lang} {where}: {text!r}"
                for where, text in self._visible_texts(env)
                if ENGLISH_WORD.search(text) and not CHINESE.search(text)
            ]
        self.assertFalse(english, f"{len(english)} strings left in English:\n" + "\n".join(english[:60]))

    # ------------------------------------------------------------------
    # What the user reads, in env's language
    # ------------------------------------------------------------------
    def _visible_texts(self, env):
        """(where, text) of the strings the overview and the reports show."""
        pieces = board_items(env)
        self.assertGreaterEqual(len(pieces), 8, "the overview of the four addons")
        for piece in pieces:
            where = f"overview piece {piece['xmlid']}"
            yield where, piece["title"]
            yield f"{where} action", env.ref(piece["xmlid"]).name
            fields = [groupby.partition(":")[0] for groupby in piece["groupby"]]
            fields += [
                aggregate.partition(":")[0] for aggregate in piece["aggregates"] if aggregate != "__count"
            ]
            yield from self._field_texts(env, piece["model"], fields, where)
        for model in self._report_models(env):
            names = [name for name in env[model]._fields if name not in MAGIC_FIELDS]
            yield from self._field_texts(env, model, names, f"report {model}")

    def _field_texts(self, env, model, names, where):
        Model = env[model]
        for name, description in Model.fields_get(names, ["string", "selection", "type"]).items():
            yield f"{where} field {model}.{name}", description["string"]
            for value, label in description.get("selection") or ():
                yield f"{where} value {model}.{name}={value}", label
            field = Model._fields[name]
            if field.type != "many2one":
                continue
            Comodel = env[field.comodel_name]
            if Comodel._rec_name and Comodel._fields[Comodel._rec_name].translate:
                # Records the addons ship (lifecycle stages) are the chart's groups, by name.
                data = env["ir.model.data"].search([("module", "in", ADDONS), ("model", "=", Comodel._name)])
                for record in Comodel.browse(data.mapped("res_id")).exists():
                    yield f"{where} group {record._name},{record.id}", record.display_name

    def _report_models(self, env):
        """The addons' SQL-view models (reports), from ir.model.data."""
        data = env["ir.model.data"].search([("module", "in", ADDONS), ("model", "=", "ir.model")])
        names = env["ir.model"].browse(data.mapped("res_id")).mapped("model")
        return sorted(
            {
                name
                for name in names
                if name in env
                and env[name]._original_module in ADDONS
                and not env[name]._auto
                and not env[name]._abstract
            }
        )
