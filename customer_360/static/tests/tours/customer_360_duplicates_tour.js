/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("customer_360_duplicates_tour", {
    url: "/odoo/action-customer_360.customer_duplicate_action",
    steps: () => [
        {
            content: "The review list shows the candidate group",
            trigger: ".o_list_view .o_data_row:contains('Tour Jasmine Tea House')",
        },
        {
            content: "Open the group",
            trigger: ".o_data_row td.o_data_cell:contains('Tour Jasmine Tea House')",
            run: "click",
        },
        {
            content: "The group lists both customers",
            trigger:
                ".o_field_widget[name=partner_ids] .o_data_row:contains('tour.jasmine@example.com')",
        },
        {
            content: "Merge the group",
            trigger: ".o_form_statusbar button[name=action_merge]",
            run: "click",
        },
        {
            content: "Confirm the merge",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The group is merged",
            trigger:
                ".o_statusbar_status button.o_arrow_button_current:contains('Merged')",
        },
        {
            content: "Back to the review list",
            trigger:
                ".o_breadcrumb .o_back_button a, .o_breadcrumb li.breadcrumb-item:first-child a",
            run: "click",
        },
        {
            content: "Switch to the kanban review",
            trigger: ".o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "Mark the other pair as not a duplicate",
            trigger:
                ".o_kanban_record:contains('Tour Silk Road') button[name=action_dismiss]",
            run: "click",
        },
        {
            content: "The pair leaves the review column",
            trigger:
                ".o_kanban_view:not(:has(.o_kanban_record:contains('Tour Silk Road')))",
        },
    ],
});
