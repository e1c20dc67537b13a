/** @odoo-module **/

import {registry} from "@web/core/registry";

// The colours the chart really draws, read from Chart.js, by the slice's label.
const EXPECTED = {High: "#dc3545", Medium: "#f0ad4e", Low: "#28a745"};

registry.category("web_tour.tours").add("customer_churn_colours_tour", {
    steps: () => [
        {
            content: "The churn risk pie is drawn: high red, medium orange, low green",
            trigger: ".o_graph_renderer canvas",
            run() {
                const chart = window.Chart.getChart(this.anchor);
                const colors = chart.data.datasets[0].backgroundColor;
                const drawn = Object.fromEntries(
                    chart.data.labels.map((label, index) => [label, colors[index]])
                );
                for (const [label, color] of Object.entries(EXPECTED)) {
                    if (drawn[label] !== color) {
                        throw new Error(
                            `${label} is drawn ${drawn[label]}, not ${color}`
                        );
                    }
                }
            },
        },
    ],
});
