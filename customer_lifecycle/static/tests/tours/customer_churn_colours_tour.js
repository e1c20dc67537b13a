/** @odoo-module **/

import {registry} from "@web/core/registry";

// The colours the chart really draws, read from Chart.js, by the slice's label.
const EXPECTED = {High: "#dc3545", Medium: "#f0ad4e", Low: "#28a745"};

registry.category("web_tour.tours").add("customer_churn_colours_tour", {
    steps: () => [
        {
            content:
                "The churn risk pie and its legend: high red, medium orange, low green",
            trigger: ".o_graph_renderer canvas",
            run() {
                const chart = window.Chart.getChart(this.anchor);
                const colors = chart.data.datasets[0].backgroundColor;
                const drawn = Object.fromEntries(
                    chart.data.labels.map((label, index) => [label, colors[index]])
                );
                // The legend beside the pie shows the same colours as the slices.
                const legend = Object.fromEntries(
                    chart.options.plugins.legend.labels
                        .generateLabels(chart)
                        .map((item) => [item.fullText, item.fillStyle])
                );
                for (const [label, color] of Object.entries(EXPECTED)) {
                    if (drawn[label] !== color) {
                        throw new Error(
                            `${label} is drawn ${drawn[label]}, not ${color}`
                        );
                    }
                    if (legend[label] !== color) {
                        throw new Error(
                            `${label}'s legend is ${legend[label]}, not ${color}`
                        );
                    }
                }
            },
        },
    ],
});
