import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("customer_backtest_tour", {
    url: "/odoo/action-customer_lifecycle.customer_prediction_backtest_action",
    steps: () => [
        {
            content: "Run a backtest of the predictions",
            trigger: "button[name=action_run]",
            run: "click",
        },
        {
            content: "The run is listed, fully scored, with its customers",
            trigger:
                ".o_list_view .o_data_row:has(td[name=state]:contains('Done')) td.o_data_cell[name=customer_count]:contains('18')",
        },
        {
            content: "Open the run",
            trigger:
                ".o_list_view .o_data_row td.o_data_cell[name=customer_count]:contains('18')",
            run: "click",
        },
        {
            content: "The run is done",
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Done')",
        },
        {
            content: "Churn AUC and Brier score, each beside its baseline",
            trigger: ".o_form_view .o_field_widget[name=churn_auc]:contains('.')",
        },
        {
            trigger:
                ".o_form_view .o_field_widget[name=churn_auc_baseline]:contains('.')",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=churn_brier]:contains('.')",
        },
        {
            trigger:
                ".o_form_view .o_field_widget[name=churn_brier_baseline]:contains('.')",
        },
        {
            content: "Next-order error in days beside its baseline",
            trigger:
                ".o_form_view .o_field_widget[name=next_order_mae_days]:contains('.')",
        },
        {
            trigger:
                ".o_form_view .o_field_widget[name=next_order_mae_days_baseline]:contains('.')",
        },
        {
            content: "Value error beside its baseline",
            trigger: ".o_form_view .o_field_widget[name=clv_mae]:contains('.')",
        },
        {
            trigger:
                ".o_form_view .o_field_widget[name=clv_mae_baseline]:contains('.')",
        },
    ],
});
