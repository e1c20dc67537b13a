/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("customer_360_overview_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Customers app",
            trigger: ".o_app[data-menu-xmlid='customer_360.customer_360_menu_root']",
            run: "click",
        },
        {
            content: "The app opens on the overview board",
            trigger:
                ".o_dashboard .o-dashboard-action-header:contains('Data completeness')",
        },
        {
            content: "The satisfaction chart is one of the pieces",
            trigger:
                ".o_dashboard .o-dashboard-action-header:contains('Customer satisfaction per month')",
        },
        {
            content:
                "The navbar shows the Customers app, with Overview as its first menu",
            trigger: ".o_menu_brand:contains('Customers')",
        },
        {
            content: "Overview is the first menu of the app",
            trigger: ".o_menu_sections > :first-child:contains('Overview')",
        },
        {
            content: "The completeness chart is drawn, within its column (not cut off)",
            trigger:
                ".o-dashboard-action:contains('Data completeness') .o_graph_renderer canvas",
            run() {
                const chart = this.anchor.getBoundingClientRect();
                const piece = this.anchor
                    .closest(".o-dashboard-action")
                    .getBoundingClientRect();
                if (chart.width < 50 || chart.right > piece.right + 1) {
                    throw new Error(
                        `chart ${chart.left}-${chart.right} overflows its piece ${piece.left}-${piece.right}`
                    );
                }
            },
        },
    ],
});
