/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("customer_360_tour", {
    url: "/odoo/action-customer_360.customer_profile_action",
    steps: () => [
        {
            content: "Open the customer from the Customers list",
            trigger: ".o_data_row td.o_data_cell:contains('Tour Tea Garden')",
            run: "click",
        },
        {
            content: "The profile shows its KPIs",
            trigger: ".o_form_view .o_field_widget[name=order_count]:contains('1')",
        },
        {
            content: "Go to the contact",
            trigger: ".o_form_view button[name=action_open_partner]",
            run: "click",
        },
        {
            content: "Open the 360° Profile page of the contact form",
            trigger: ".o_notebook .nav-link:contains('360° Profile')",
            run: "click",
        },
        {
            content: "The page lists the profile per company",
            trigger: ".o_field_widget[name=customer_profile_ids] .o_data_row",
        },
        {
            content: "Open the timeline from the 360° page",
            trigger: ".o_notebook button[name=action_open_customer_interactions]",
            run: "click",
        },
        {
            content: "The timeline lists the confirmed order",
            trigger: ".o_list_view .o_data_row:contains('Sale order')",
        },
    ],
});
