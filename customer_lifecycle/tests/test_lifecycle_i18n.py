import re
from pathlib import Path

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import PoFileReader

I18N = Path(__file__).resolve().parent.parent / "i18n"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd.\d]*f?|%[sd]|\{\{.*?\}\}")


@tagged("post_install", "-at_install")
class TestLifecycleTranslations(TransactionCase):
    def _entries(self, lang):
        with open(I18N / f"{lang}.po", "rb") as po_file:
            return list(PoFileReader(po_file))

    def test_every_term_translated_with_its_placeholders(self):
        """Chinese users see no English leftovers and no broken %(...)s in messages."""
        for lang in ("zh_CN", "zh_TW"):
            entries = self._entries(lang)
            self.assertGreater(len(entries), 200)
            for entry in entries:
                self.assertTrue(entry["value"], f"{lang}: {entry['src']!r} untranslated")
                self.assertEqual(
                    sorted(PLACEHOLDER.findall(entry["src"])),
                    sorted(PLACEHOLDER.findall(entry["value"])),
                    f"{lang}: placeholders of {entry['src']!r}",
                )

    def test_traditional_differs_from_simplified(self):
        """zh_TW is written in Traditional characters, not a copy of zh_CN."""
        simplified = {entry["src"]: entry["value"] for entry in self._entries("zh_CN")}
        traditional = {entry["src"]: entry["value"] for entry in self._entries("zh_TW")}
        self.assertEqual(simplified["Lifecycle stage"], "生命周期阶段")
        self.assertEqual(traditional["Lifecycle stage"], "生命週期階段")

    def test_stage_names_load_in_chinese(self):
        """With Chinese installed, the default stages show Chinese names."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["customer_lifecycle"], ["zh_CN"], overwrite=True)
        stage = self.env.ref("customer_lifecycle.stage_churned").with_context(lang="zh_CN")
        self.assertEqual(stage.name, "已流失")
