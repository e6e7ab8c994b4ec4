/**
 * Shopify's `orders/create`, shaped like the Admin REST API's order (compact JSON, as Shopify sends it), growing
 * by its line items: a wholesale order of a few hundred lines is a 1 MB webhook. `units` first adds the order's
 * money sets, then its addresses and client details, then line items.
 */
import { pick, randomInt } from "../../local/seededRandom.ts";
import type { PayloadKind } from "./payloadSize.ts";
import { digits, hex, isoTime, person, type Random, sentence } from "./payloadText.ts";

const PRODUCTS = ["Merino Crew Sock", "Canvas Tote", "Ceramic Mug", "Linen Apron", "Trail Runner", "Wool Beanie"];
const VARIANTS = ["S / Black", "M / Navy", "L / Oat", "XL / Forest", "One size"];

function money(amount: string) {
  return { shop_money: { amount, currency_code: "EUR" }, presentment_money: { amount, currency_code: "EUR" } };
}

function address(random: Random, name: { first: string; last: string }) {
  return {
    first_name: name.first,
    address1: `${randomInt(random, 1, 300)} ${sentence(random, 1, 2)} Road`,
    phone: null,
    city: pick(random, ["Amsterdam", "Ghent", "Porto", "Vienna"]),
    zip: String(randomInt(random, 1000, 9999)),
    province: null,
    country: "Netherlands",
    last_name: name.last,
    address2: null,
    company: null,
    latitude: 52 + random(),
    longitude: 4 + random(),
    name: `${name.first} ${name.last}`,
    country_code: "NL",
    province_code: null,
  };
}

function lineItem(random: Random) {
  const id = digits(random, 14);
  const productId = digits(random, 13);
  const variantId = digits(random, 14);
  const title = pick(random, PRODUCTS);
  const variant = pick(random, VARIANTS);
  const price = (randomInt(random, 500, 12_000) / 100).toFixed(2);
  const tax = (Number(price) * 0.21).toFixed(2);
  return {
    id,
    admin_graphql_api_id: `gid://shopify/LineItem/${id}`,
    attributed_staffs: [],
    current_quantity: 1,
    fulfillable_quantity: 1,
    fulfillment_service: "manual",
    fulfillment_status: null,
    gift_card: false,
    grams: randomInt(random, 50, 2000),
    name: `${title} - ${variant}`,
    price,
    price_set: money(price),
    product_exists: true,
    product_id: productId,
    properties: [],
    quantity: randomInt(random, 1, 24),
    requires_shipping: true,
    sku: `${title.slice(0, 3).toUpperCase()}-${hex(random, 6).toUpperCase()}`,
    taxable: true,
    title,
    total_discount: "0.00",
    total_discount_set: money("0.00"),
    variant_id: variantId,
    variant_inventory_management: "shopify",
    variant_title: variant,
    vendor: "Example Goods",
    tax_lines: [{ channel_liable: false, price: tax, price_set: money(tax), rate: 0.21, title: "NL BTW" }],
    duties: [],
    discount_allocations: [],
  };
}

/** `orders/create`: a new order, growing by its line items. */
export const shopifyOrderCreate: PayloadKind = {
  name: "shopify orders/create",
  pretty: false,
  build(random, units) {
    const id = digits(random, 13);
    const buyer = person(random);
    const [first, last] = buyer.name.split(" ") as [string, string];
    const total = (randomInt(random, 1000, 90_000) / 100).toFixed(2);
    const order: Record<string, unknown> = {
      id,
      admin_graphql_api_id: `gid://shopify/Order/${id}`,
      confirmation_number: hex(random, 9).toUpperCase(),
      confirmed: true,
      contact_email: buyer.email,
      created_at: isoTime(0, "+01:00"),
      currency: "EUR",
      email: buyer.email,
      financial_status: "paid",
      fulfillment_status: null,
      name: `#${randomInt(random, 1001, 99_999)}`,
      order_number: randomInt(random, 1001, 99_999),
      subtotal_price: total,
      total_price: total,
      total_tax: "0.00",
      customer: { id: digits(random, 13), email: buyer.email, first_name: first, last_name: last, state: "enabled" },
      line_items: [] as unknown[],
    };
    const sections = [
      () => ({
        current_subtotal_price_set: money(total),
        current_total_discounts_set: money("0.00"),
        current_total_price_set: money(total),
        current_total_tax_set: money("0.00"),
        subtotal_price_set: money(total),
        total_discounts_set: money("0.00"),
        total_line_items_price_set: money(total),
        total_price_set: money(total),
        total_shipping_price_set: money("0.00"),
        total_tax_set: money("0.00"),
      }),
      () => ({
        billing_address: address(random, { first, last }),
        shipping_address: address(random, { first, last }),
        browser_ip: `203.0.113.${randomInt(random, 1, 254)}`,
        cart_token: hex(random, 32),
        checkout_token: hex(random, 32),
        client_details: {
          accept_language: "nl-NL",
          browser_ip: "203.0.113.7",
          user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko)",
        },
        discount_codes: [],
        note: null,
        note_attributes: [],
        payment_gateway_names: ["shopify_payments"],
        source_name: "web",
        tags: "",
        tax_lines: [],
        taxes_included: false,
        test: false,
      }),
    ];
    for (const section of sections.slice(0, units)) Object.assign(order, section());
    order.line_items = Array.from({ length: Math.max(0, units - sections.length) }, () => lineItem(random));
    return order;
  },
};
