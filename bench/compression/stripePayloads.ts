/**
 * Stripe events shaped like the API's (`2024-06-20`): an `event` envelope around the object, pretty-printed as
 * Stripe sends them. `units` first adds the object's optional field groups, then repeated parts: invoice lines,
 * checkout line items. Stripe events past ~20 KB are rare (lists in events are truncated at 10 items), so the
 * 64 KB and 1 MB sizes are a stress shape, not a typical one.
 */
import { pick, randomInt } from "../../local/seededRandom.ts";
import type { PayloadKind } from "./payloadSize.ts";
import { base62, person, type Random, sentence } from "./payloadText.ts";

const CREATED = 1_762_160_400;
const PLANS = [
  ["Starter", 900],
  ["Pro", 4900],
  ["Team seat", 1500],
  ["Usage: API calls", 2],
] as const;

function envelope(random: Random, type: string, object: Record<string, unknown>) {
  return {
    id: `evt_1${base62(random, 23)}`,
    object: "event",
    api_version: "2024-06-20",
    created: CREATED,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

function address(random: Random) {
  return {
    city: pick(random, ["Berlin", "Lyon", "Austin", "Leeds"]),
    country: pick(random, ["DE", "FR", "US", "GB"]),
    line1: `${randomInt(random, 1, 250)} ${sentence(random, 1, 2)} Street`,
    line2: null,
    postal_code: String(randomInt(random, 10_000, 99_999)),
    state: null,
  };
}

function price(random: Random, nickname: string, amount: number) {
  return {
    id: `price_1${base62(random, 23)}`,
    object: "price",
    active: true,
    billing_scheme: "per_unit",
    created: CREATED - randomInt(random, 1e5, 1e7),
    currency: "usd",
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname,
    product: `prod_${base62(random, 14)}`,
    recurring: {
      aggregate_usage: null,
      interval: "month",
      interval_count: 1,
      trial_period_days: null,
      usage_type: "licensed",
    },
    tax_behavior: "exclusive",
    tiers_mode: null,
    transform_quantity: null,
    type: "recurring",
    unit_amount: amount,
    unit_amount_decimal: String(amount),
  };
}

function invoiceLine(random: Random, invoiceId: string, subscription: string) {
  const [nickname, amount] = pick(random, PLANS);
  const quantity = randomInt(random, 1, 12);
  return {
    id: `il_1${base62(random, 23)}`,
    object: "line_item",
    amount: amount * quantity,
    amount_excluding_tax: amount * quantity,
    currency: "usd",
    description: `${quantity} × ${nickname} (at $${(amount / 100).toFixed(2)} / month)`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: invoiceId,
    livemode: false,
    metadata: {},
    period: { end: CREATED + 2_592_000, start: CREATED },
    price: price(random, nickname, amount),
    proration: false,
    proration_details: { credited_items: null },
    quantity,
    subscription,
    subscription_item: `si_${base62(random, 14)}`,
    tax_amounts: [],
    tax_rates: [],
    type: "subscription",
    unit_amount_excluding_tax: String(amount),
  };
}

/** `invoice.paid`: the paid invoice, growing by its lines. */
export const stripeInvoicePaid: PayloadKind = {
  name: "stripe invoice.paid",
  pretty: true,
  build(random, units) {
    const id = `in_1${base62(random, 23)}`;
    const subscription = `sub_1${base62(random, 23)}`;
    const customer = person(random);
    const total = randomInt(random, 900, 90_000);
    const invoice: Record<string, unknown> = {
      id,
      object: "invoice",
      amount_due: total,
      amount_paid: total,
      amount_remaining: 0,
      attempt_count: 1,
      attempted: true,
      billing_reason: "subscription_cycle",
      charge: `ch_3${base62(random, 23)}`,
      collection_method: "charge_automatically",
      created: CREATED,
      currency: "usd",
      customer: `cus_${base62(random, 14)}`,
      customer_email: customer.email,
      customer_name: customer.name,
      hosted_invoice_url: `https://invoice.stripe.com/i/acct_1${base62(random, 15)}/test_${base62(random, 40)}`,
      number: `${base62(random, 8).toUpperCase()}-${String(randomInt(random, 1, 9999)).padStart(4, "0")}`,
      paid: true,
      payment_intent: `pi_3${base62(random, 23)}`,
      status: "paid",
      subscription,
      total,
    };
    const sections = [
      () => ({
        account_country: "US",
        account_name: "Example, Inc.",
        automatic_tax: { enabled: false, liability: null, status: null },
        customer_address: address(random),
        customer_phone: null,
        customer_shipping: null,
        customer_tax_exempt: "none",
        invoice_pdf: `https://pay.stripe.com/invoice/acct_1${base62(random, 15)}/test_${base62(random, 40)}/pdf?s=ap`,
        period_end: CREATED,
        period_start: CREATED - 2_592_000,
        status_transitions: {
          finalized_at: CREATED,
          marked_uncollectible_at: null,
          paid_at: CREATED + 2,
          voided_at: null,
        },
        subtotal: total,
        subtotal_excluding_tax: total,
      }),
      () => ({
        application: null,
        application_fee_amount: null,
        custom_fields: null,
        default_payment_method: null,
        default_source: null,
        default_tax_rates: [],
        description: null,
        discount: null,
        discounts: [],
        due_date: null,
        ending_balance: 0,
        footer: null,
        last_finalization_error: null,
        latest_revision: null,
        metadata: {},
        next_payment_attempt: null,
        on_behalf_of: null,
        payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
        post_payment_credit_notes_amount: 0,
        pre_payment_credit_notes_amount: 0,
        receipt_number: null,
        starting_balance: 0,
        statement_descriptor: null,
        test_clock: null,
        total_discount_amounts: [],
        total_tax_amounts: [],
        webhooks_delivered_at: CREATED + 1,
      }),
    ];
    for (const section of sections.slice(0, units)) Object.assign(invoice, section());
    const lineCount = Math.max(0, units - sections.length);
    if (units > sections.length) {
      invoice.lines = {
        object: "list",
        data: Array.from({ length: lineCount }, () => invoiceLine(random, id, subscription)),
        has_more: false,
        total_count: lineCount,
        url: `/v1/invoices/${id}/lines`,
      };
    }
    return envelope(random, "invoice.paid", invoice);
  },
};

/** `checkout.session.completed`: the session, growing by its (expanded) line items. */
export const stripeCheckoutCompleted: PayloadKind = {
  name: "stripe checkout.session.completed",
  pretty: true,
  build(random, units) {
    const id = `cs_test_a1${base62(random, 56)}`;
    const customer = person(random);
    const total = randomInt(random, 500, 50_000);
    const session: Record<string, unknown> = {
      id,
      object: "checkout.session",
      amount_subtotal: total,
      amount_total: total,
      client_reference_id: null,
      created: CREATED,
      currency: "usd",
      customer: `cus_${base62(random, 14)}`,
      customer_details: { address: address(random), email: customer.email, name: customer.name, phone: null },
      livemode: false,
      mode: "payment",
      payment_intent: `pi_3${base62(random, 23)}`,
      payment_status: "paid",
      status: "complete",
      success_url: "https://shop.example.com/thanks?session_id={CHECKOUT_SESSION_ID}",
    };
    const sections = [
      () => ({
        after_expiration: null,
        allow_promotion_codes: null,
        automatic_tax: { enabled: false, liability: null, status: null },
        billing_address_collection: null,
        cancel_url: "https://shop.example.com/cart",
        consent: null,
        consent_collection: null,
        custom_fields: [],
        custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
        customer_creation: "if_required",
        customer_email: customer.email,
        expires_at: CREATED + 86_400,
        invoice: null,
        locale: null,
        metadata: { order_id: String(randomInt(random, 1e6, 9e6)), cart: base62(random, 12) },
        payment_link: null,
        payment_method_collection: "if_required",
        payment_method_options: { card: { request_three_d_secure: "automatic" } },
        payment_method_types: ["card", "link"],
        phone_number_collection: { enabled: false },
        shipping_address_collection: null,
        shipping_cost: null,
        shipping_details: null,
        shipping_options: [],
        submit_type: null,
        subscription: null,
        total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
        ui_mode: "hosted",
        url: null,
      }),
    ];
    for (const section of sections.slice(0, units)) Object.assign(session, section());
    const itemCount = Math.max(0, units - sections.length);
    if (units > sections.length) {
      session.line_items = {
        object: "list",
        data: Array.from({ length: itemCount }, () => {
          const [nickname, amount] = pick(random, PLANS);
          const quantity = randomInt(random, 1, 5);
          return {
            id: `li_1${base62(random, 23)}`,
            object: "item",
            amount_discount: 0,
            amount_subtotal: amount * quantity,
            amount_tax: 0,
            amount_total: amount * quantity,
            currency: "usd",
            description: nickname,
            price: price(random, nickname, amount),
            quantity,
          };
        }),
        has_more: false,
        url: `/v1/checkout/sessions/${id}/line_items`,
      };
    }
    return envelope(random, "checkout.session.completed", session);
  },
};
