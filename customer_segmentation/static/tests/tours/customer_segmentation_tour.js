/** @odoo-module **/

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("customer_segmentation_tour", {
    url: "/odoo/action-customer_segmentation.customer_segment_action",
    steps: () => [
        {
            content: "Create a segment",
            trigger: ".o_control_panel .o-kanban-button-new",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour segment",
        },
        {
            content: "A rule segment shows its conditions in the domain editor",
            trigger: ".o_field_widget[name=profile_domain]",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Refresh its members",
            trigger: ".o_form_saved button[name=action_refresh]",
            run: "click",
        },
        {
            content: "The member count shows the customer",
            trigger: "button[name=action_view_members] .o_stat_value:contains('1')",
        },
        {
            content: "See the members",
            trigger: "button[name=action_view_members]",
            run: "click",
        },
        {
            content: "The member is listed",
            trigger: ".o_list_view .o_data_row:contains('Tour Segment Customer')",
        },
    ],
});
