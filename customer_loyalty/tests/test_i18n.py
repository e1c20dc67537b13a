from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_chinese_labels(self):
        """Users in Simplified and Traditional Chinese see the tier screens in their language."""
        for lang, label in (("zh_CN", "会员等级"), ("zh_TW", "會員等級")):
            self.env["res.lang"]._activate_lang(lang)
            self.env["ir.module.module"]._load_module_terms(["customer_loyalty"], [lang], overwrite=True)
            model = self.env["ir.model"].with_context(lang=lang)._get("customer.loyalty.tier")
            self.assertEqual(model.name, label)
            field = self.env["customer.loyalty.tier"].with_context(lang=lang).fields_get(["grace_days"])
            self.assertEqual(
                field["grace_days"]["string"], "宽限期（天）" if lang == "zh_CN" else "寬限期（天）"
            )
