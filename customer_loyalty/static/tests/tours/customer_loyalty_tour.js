/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("customer_loyalty_portal_tour", {
    url: "/my",
    steps: () => [
        {
            content: "Open the loyalty page from the portal home",
            trigger: 'a[href="/my/loyalty"]',
            run: "click",
        },
        {
            content: "The balance is shown",
            trigger: ".o_loyalty_points:contains('600')",
        },
        {
            content: "The tier is shown",
            trigger: ".o_loyalty_tier:contains('Silver')",
        },
        {
            content: "Progress towards the next tier is shown",
            trigger: ".o_loyalty_progress:contains('Gold')",
        },
        {
            content: "The history lists the opening balance",
            trigger: ".o_loyalty_history td:contains('Tour opening balance')",
        },
    ],
});
