/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("customer_loyalty_backend_tour", {
    url: "/odoo/action-customer_loyalty.loyalty_card_member_action",
    steps: () => [
        {
            content: "The members list shows the Gold member",
            trigger: ".o_list_view .o_data_row:contains('Tour Gold Member')",
        },
        {
            content: "Open the member's card",
            trigger: ".o_data_row td.o_data_cell:contains('Tour Gold Member')",
            run: "click",
        },
        {
            content: "The card shows its tier",
            trigger: ".o_form_view .o_field_widget[name=tier_id]:contains('Tour Gold')",
        },
        {
            content: "Open the points ledger of the card",
            trigger: ".o_notebook .nav-link:contains('Points Ledger')",
            run: "click",
        },
        {
            content: "The ledger lists the opening line with its running balance",
            trigger:
                ".o_field_widget[name=history_ids] .o_data_row:contains('Tour opening')",
        },
    ],
});
