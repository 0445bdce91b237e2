/** The automated accessibility check: no serious or critical axe violation on the page as it is now. */
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/**
 * `keepPointer`: leave the pointer where it is — on a toast that would close by itself while the
 * check runs (it stays open while hovered).
 */
export async function expectAccessible(page: Page, what: string, opts: { keepPointer?: boolean } = {}): Promise<void> {
  // Colours are judged once dialogs and toasts have finished fading in (antd's motion classes are gone).
  await expect(page.locator('[class*="-appear"], [class*="-enter"], [class*="-leave"]')).toHaveCount(0);
  // Whatever the last click left under the pointer is judged unhovered, the same on every run.
  if (!opts.keepPointer) await page.mouse.move(0, 0);
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`);
  expect(serious, `${what}: serious or critical accessibility violations`).toEqual([]);
}
