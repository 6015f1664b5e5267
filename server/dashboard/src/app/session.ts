// The API key lives in this tab's sessionStorage only: never in a URL, gone when the tab closes.
const KEY_ITEM = 'grapevine.apiKey';

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_ITEM);
  } catch {
    return null;
  }
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY_ITEM, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY_ITEM);
}
