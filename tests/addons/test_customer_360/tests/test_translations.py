"""Every translatable term of the four addons has a zh_CN and a zh_TW translation."""

from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

ADDONS = ("customer_360", "customer_segmentation", "customer_lifecycle", "customer_loyalty")
LANGS = ("zh_CN", "zh_TW")


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_term_is_translated_in_both_chinese_scripts(self):
        """Field labels, selection values, menus, actions, views, mail templates and messages
        in code: any term without a zh_CN or zh_TW translation fails, and is named."""
        missing = []
        for addon in ADDONS:
            terms = {
                source
                for _module, _type, _name, _res_id, source, _value, _comments in TranslationModuleReader(
                    self.env.cr, modules=[addon]
                )
            }
            self.assertTrue(terms, f"{addon} exports no translatable term")
            for lang in LANGS:
                path = Path(get_module_path(addon)) / "i18n" / f"{lang}.po"
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
