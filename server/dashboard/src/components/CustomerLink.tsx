import { href } from '../app/router';

export interface CustomerRef {
  id: string;
  name?: string | null;
}

/** A customer's name (or id, when erased or never named) linking to their page. */
export function CustomerLink({ customer }: { customer: CustomerRef }) {
  return (
    <a href={href('customer', customer.id)} className="customer-link">
      {customer.name ?? customer.id}
      {customer.name ? <span className="muted"> ({customer.id})</span> : null}
    </a>
  );
}
