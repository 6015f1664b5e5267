import { useEffect, useState } from 'react';

/** A labelled text field for a customer id with its own submit button. */
export function CustomerIdForm({ initial, label, onSubmit, buttonLabel = 'Show' }: { initial?: string; label: string; onSubmit: (id: string) => void; buttonLabel?: string }) {
  const [value, setValue] = useState(initial ?? '');
  useEffect(() => setValue(initial ?? ''), [initial]);
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        const id = value.trim();
        if (id) onSubmit(id);
      }}
    >
      <label>
        {label} <input name="customerId" value={value} onChange={(event) => setValue(event.target.value)} required autoComplete="off" spellCheck={false} />
      </label>
      <button type="submit">{buttonLabel}</button>
    </form>
  );
}
