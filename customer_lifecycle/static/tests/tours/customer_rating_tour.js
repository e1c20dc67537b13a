/** @odoo-module **/

import {registry} from "@web/core/registry";

// A customer who reads Chinese follows the mail's "okay" face, changes their mind to the
// unhappy face, writes why and sends it, without logging in.
registry.category("web_tour.tours").add("customer_rating_tour", {
    steps: () => [
        {
            content: "The rating page speaks the customer's language",
            trigger: ".o_rating_page_submit h1:contains(感谢您评价我们的服务)",
        },
        {
            content: "The face of the mail's link is chosen",
            trigger: "label.o_rating_label.active[for=rate_3]",
        },
        {
            content: "Change to the unhappy face",
            trigger: "label.o_rating_label[for=rate_1]",
            run: "click",
        },
        {
            content: "Say why",
            trigger: "textarea[name=feedback]",
            run: "edit 茶叶到的时候碎了",
        },
        {
            content: "Send it",
            trigger: "button[type=submit]:contains(发送反馈)",
            run: "click",
        },
        {
            content: "Thanked, in Chinese",
            trigger: ".o_rating_page_thank_you h3:contains(感谢您的反馈意见)",
        },
    ],
});
