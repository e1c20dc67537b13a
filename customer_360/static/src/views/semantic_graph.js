/** @odoo-module **/

import {registry} from "@web/core/registry";
import {getCustomColor, lightenColor, darkenColor} from "@web/core/colors/colors";
import {cookie} from "@web/core/browser/cookie";
import {graphView} from "@web/views/graph/graph_view";
import {GraphArchParser} from "@web/views/graph/graph_arch_parser";
import {GraphRenderer} from "@web/views/graph/graph_renderer";
import {SEP} from "@web/views/graph/graph_model";
import {evaluateExpr} from "@web/core/py_js/py";
import {visitXML} from "@web/core/utils/xml";

// What a value means, not its position in the palette: a high churn risk is red whatever the
// order of the groups. Meanings are Bootstrap's contextual names, as in list decorations.
export const SEMANTIC_COLORS = {
    danger: "#dc3545",
    warning: "#f0ad4e",
    success: "#28a745",
    info: "#17a2b8",
    primary: "#714b67",
    muted: "#adb5bd",
};

/** Reads `options="{'colors': {'high': 'danger', ...}}"` on the graph's group-by fields. */
export class SemanticGraphArchParser extends GraphArchParser {
    parse(arch, fields = {}) {
        const archInfo = super.parse(arch, fields);
        visitXML(arch, (node) => {
            if (node.tagName !== "field" || !node.hasAttribute("options")) {
                return;
            }
            const colors = evaluateExpr(node.getAttribute("options")).colors;
            if (colors) {
                const name = node.getAttribute("name");
                archInfo.fieldAttrs[name] = {
                    ...archInfo.fieldAttrs[name],
                    semanticColors: colors,
                };
            }
        });
        return archInfo;
    }
}

export class SemanticGraphRenderer extends GraphRenderer {
    /** The colour that `text`, a label of the group-by at `index`, stands for, if any. */
    semanticColor(text, index) {
        const {fieldAttrs, fields, groupBy} = this.model.metaData;
        const spec = groupBy[index];
        const fieldName = spec && (spec.fieldName || String(spec).split(":")[0]);
        const colors = fieldName && fieldAttrs[fieldName]?.semanticColors;
        if (!colors || typeof text !== "string") {
            return undefined;
        }
        const selection = fields[fieldName]?.selection || [];
        const option = selection.find(
            ([value, string]) => string === text || value === text
        );
        return option && SEMANTIC_COLORS[colors[option[0]]];
    }

    /** Bars and lines: the x axis is the first group-by, each dataset one value of the others. */
    datasetColor(dataset) {
        return this.semanticColor(String(dataset.label || "").split(SEP)[0], 1);
    }

    getBarChartData() {
        const data = super.getBarChartData();
        const byLabel = data.labels.map((label) => this.semanticColor(label, 0));
        for (const dataset of data.datasets) {
            if (dataset.type === "line") {
                continue;
            }
            const own = this.datasetColor(dataset);
            if (own) {
                dataset.backgroundColor = own;
            } else if (byLabel.some(Boolean)) {
                const fallback = dataset.backgroundColor;
                dataset.backgroundColor = byLabel.map((color) => color || fallback);
            }
        }
        return data;
    }

    getLineChartData() {
        const data = super.getLineChartData();
        const colorScheme = cookie.get("color_scheme");
        for (const dataset of data.datasets) {
            const own = this.datasetColor(dataset);
            if (own) {
                dataset.borderColor = own;
                dataset.pointBackgroundColor = own;
                dataset.hoverBackgroundColor = own;
                dataset.backgroundColor = getCustomColor(
                    colorScheme,
                    lightenColor(own, 0.5),
                    darkenColor(own, 0.5)
                );
            }
        }
        return data;
    }

    getPieChartData() {
        const data = super.getPieChartData();
        // A slice's label joins every group-by's value: the first one with a meaning decides.
        const colors = data.labels.map((label) =>
            typeof label === "string"
                ? label
                      .split(SEP)
                      .map((part, index) => this.semanticColor(part, index))
                      .find(Boolean)
                : undefined
        );
        if (colors.some(Boolean)) {
            for (const dataset of data.datasets) {
                const semantic = dataset.backgroundColor.map(
                    (color, i) => colors[i] || color
                );
                dataset.backgroundColor = semantic;
                dataset.hoverBackgroundColor = semantic;
            }
        }
        return data;
    }

    /** Core draws a pie's legend from the palette by position: use the slices' own colours. */
    getLegendOptions() {
        const legendOptions = super.getLegendOptions();
        const generateLabels = legendOptions.labels?.generateLabels;
        if (this.model.metaData.mode === "pie" && generateLabels) {
            legendOptions.labels.generateLabels = (chart) => {
                const colors = chart.data.datasets[0]?.backgroundColor;
                return generateLabels(chart).map((item) =>
                    Array.isArray(colors) && colors[item.index]
                        ? {...item, fillStyle: colors[item.index]}
                        : item
                );
            };
        }
        return legendOptions;
    }
}

export const semanticGraphView = {
    ...graphView,
    ArchParser: SemanticGraphArchParser,
    Renderer: SemanticGraphRenderer,
};

registry.category("views").add("customer_360_semantic_graph", semanticGraphView);
