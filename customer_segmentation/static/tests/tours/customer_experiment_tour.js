/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("customer_experiment_holdout_tour", {
    url: "/odoo/action-customer_segmentation.customer_segment_action",
    steps: () => [
        {
            content: "Open the segment",
            trigger: ".o_kanban_record:contains('Tour tea lovers')",
            run: "click",
        },
        {
            content: "Act on its members",
            trigger: ".o_form_view button[name=action_open_wizard]",
            run: "click",
        },
        {
            content: "Schedule an activity (the default action): choose its type",
            trigger: ".modal .o_field_widget[name=activity_type_id] input",
            run: "edit Call",
        },
        {
            content: "Pick the Call type",
            trigger: ".o-autocomplete--dropdown-item:contains('Call')",
            run: "click",
        },
        {
            content: "Summary of the activity",
            trigger: ".modal .o_field_widget[name=summary] input",
            run: "edit Tour tasting",
        },
        {
            content: "Hold out a control group",
            trigger: ".modal .o_field_widget[name=holdout] input",
            run: "click",
        },
        {
            content: "Control share: 25%",
            trigger: ".modal .o_field_widget[name=holdout_share] input",
            run: "edit 25",
        },
        {
            content: "Seed of the draw",
            trigger: ".modal .o_field_widget[name=holdout_seed] input",
            run: "edit 42",
        },
        {
            content: "Apply",
            trigger: ".modal button[name=action_apply]",
            run: "click",
        },
        {
            content: "The notification says how many were held out",
            trigger: ".o_notification:contains('held out as a control group')",
        },
        {
            content: "Open the segment's experiments",
            trigger: ".o_form_view button[name=action_view_experiments]",
            run: "click",
        },
        {
            content: "Open the experiment",
            trigger:
                ".o_list_view .o_data_row td.o_data_cell[name=name]:contains('Tour tea lovers')",
            run: "click",
        },
        {
            content: "The experiment is running",
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Running')",
        },
        {
            content: "See its members",
            trigger: ".o_notebook .nav-link:contains('Members')",
            run: "click",
        },
        {
            content: "Control members are listed with their group",
            trigger: ".o_field_widget[name=member_ids] .o_data_row:contains('Control')",
        },
    ],
});

registry.category("web_tour.tours").add("customer_experiment_verdict_tour", {
    url: "/odoo/action-customer_segmentation.customer_experiment_action",
    steps: () => [
        {
            content: "Open the experiment whose window has ended",
            trigger:
                ".o_list_view .o_data_row td.o_data_cell[name=name]:contains('Tour tea lovers')",
            run: "click",
        },
        {
            content: "Evaluate it",
            trigger: ".o_form_view button[name=action_evaluate]",
            run: "click",
        },
        {
            content: "The experiment is done",
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Done')",
        },
        {
            content: "The verdict is in plain words, with its confidence interval",
            trigger:
                ".o_form_view .alert-info:contains('Conversion: lift +'):contains('95% CI')",
        },
        {
            content: "Open the results",
            trigger: ".o_notebook .nav-link:contains('Results')",
            run: "click",
        },
        {
            content: "The results show the p-value",
            trigger: ".o_form_view .o_field_widget[name=conversion_p_value]",
        },
    ],
});
