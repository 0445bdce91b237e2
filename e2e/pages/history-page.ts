/** The pipeline history page as a user sees it. */
import { expect, type Locator, type Page } from "@playwright/test";
import { BulkDialog } from "./bulk-dialog.ts";
import { ProgressToast } from "./progress-toast.ts";

export class HistoryPage {
  constructor(readonly page: Page) {}

  async goto(path: string) {
    await this.page.goto(path);
    await expect(this.table()).toBeVisible();
  }

  readonly table = () => this.page.getByRole("table", { name: "Builds" });
  /** A build's row, found by its checkbox's name ("Select build #N"). */
  row(number: number): Locator {
    return this.table()
      .getByRole("row")
      .filter({ has: this.page.getByRole("checkbox", { name: `Select build #${number}`, exact: true }) });
  }
  checkbox(number: number): Locator {
    return this.page.getByRole("checkbox", { name: `Select build #${number}`, exact: true });
  }
  readonly pageCheckbox = () => this.page.getByRole("checkbox", { name: "Select all active builds on this page" });
  readonly cancelSelected = () => this.page.getByRole("button", { name: /^Cancel selected \(\d+\)$/ });
  readonly cancelAllRunning = () => this.page.getByRole("button", { name: /^Cancel all running \(\d+\)$/ });
  readonly cancelAllButNewest = () => this.page.getByRole("button", { name: "… all but the newest per branch" });
  readonly rerunSelected = () => this.page.getByRole("button", { name: /^Re-run \(\d+\)$/ });
  readonly selectAllActive = () =>
    this.page.getByRole("button", { name: /^Select all \d+ (matching )?active builds?$/ });

  /**
   * Scrolls the page until build #number's row is rendered (only rows near the viewport are), and
   * returns its checkbox. It measures the rendered rows (their numbers and spacing) and jumps the
   * window straight to where the row must be, so it takes a few steps however loaded the machine.
   * `direction` is only the fallback when no row is rendered yet.
   */
  async scrollToBuild(number: number, direction: "down" | "up" = "down"): Promise<Locator> {
    const box = this.checkbox(number);
    for (let i = 0; i < 50 && (await box.count()) === 0; i++) {
      await this.page.evaluate(
        ({ target, fallback }) => {
          const rows = [...document.querySelectorAll<HTMLInputElement>('input[type="checkbox"][aria-label*="#"]')]
            .map((el) => ({
              n: Number(el.getAttribute("aria-label")?.split("#")[1]),
              y: el.getBoundingClientRect().top,
            }))
            .filter((r) => Number.isInteger(r.n));
          const first = rows[0];
          const last = rows[rows.length - 1];
          if (!first || !last || first.n === last.n) {
            window.scrollBy(0, fallback * window.innerHeight);
            return;
          }
          // Newer builds are higher up: the y of a row grows as its number falls.
          const perBuild = (last.y - first.y) / (first.n - last.n);
          window.scrollBy(0, first.y + (first.n - target) * perBuild - window.innerHeight / 2);
        },
        { target: number, fallback: direction === "down" ? 0.8 : -0.8 },
      );
      await this.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    }
    await box.scrollIntoViewIfNeeded();
    return box;
  }

  /** Scrolls down until every build is loaded ("All N builds shown"), then back to the top. */
  async loadAll(count: number) {
    const done = this.page.getByText(`All ${count} builds shown`);
    for (let i = 0; i < 2000 && (await done.count()) === 0; i++) {
      await this.page.keyboard.press("End");
      await this.page.mouse.wheel(0, 5000);
    }
    await expect(done).toBeVisible();
    await this.page.keyboard.press("Home");
    await this.page.evaluate(() => window.scrollTo(0, 0));
  }

  async tick(...numbers: number[]) {
    for (const n of numbers) await this.checkbox(n).check();
  }

  /** Waits until the row shows `status` (as its tag's text). */
  async expectStatus(number: number, status: string | RegExp) {
    await expect(this.row(number)).toContainText(status);
  }

  readonly dialog = () => new BulkDialog(this.page);
  readonly toast = () => new ProgressToast(this.page);
}
