import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("customer_lifecycle_tour", {
    url: "/odoo/contacts",
    steps: () => [
        {
            content: "Open the customer",
            trigger: ".o_kanban_record:contains('Tour Tea Garden')",
            run: "click",
        },
        {
            content: "Move the customer to Loyal by hand in the statusbar",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button:contains('Loyal')",
            run: "click",
        },
        {
            content: "Loyal is now the current stage",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Loyal')",
        },
        {
            content: "The lock shows on the contact",
            trigger: ".o_form_view .o_lifecycle_lock_badge:contains('Stage locked')",
        },
        {
            content: "Unlock the stage",
            trigger: ".o_form_view button[name='action_lifecycle_unlock']",
            run: "click",
        },
        {
            content: "The lock is gone",
            trigger: ".o_form_view:not(:has(.o_lifecycle_lock_badge))",
        },
    ],
});
