import { expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { PlaygroundPage, topBarAction } from './playground.ts';

/** The Room tab, named for what an instructor or a participant does on it. */
export class RoomTab {
  readonly board: Locator;
  readonly code: Locator;
  readonly joinForm: Locator;

  constructor(readonly page: Page) {
    this.board = page.getByTestId('room-board');
    this.code = page.getByTestId('room-code');
    this.joinForm = page.getByTestId('room-join');
  }

  async open(): Promise<void> {
    await (await topBarAction(this.page, 'Room')).click();
  }

  /** Starts a room and returns its code, as the board shows it. */
  async start(title: string): Promise<string> {
    await this.open();
    await this.page.getByLabel('Title').fill(title);
    await this.page.getByRole('button', { name: 'Start a room' }).click();
    await expect(this.code).toHaveText(/^[A-HJKMNP-Z2-9]{6}$/);
    return (await this.code.textContent())!.trim();
  }

  /** A board row, by the participant's name. */
  row(name: string): Locator {
    return this.board.getByTestId('board-row').filter({ hasText: name });
  }

  /** The lines the participant viewer marks as wrong in one of its files (through the page's test hook). */
  markedLines(): Promise<number[] | null> {
    return this.page.evaluate(() => window.__playground?.readOnlyMarkedLines('participant-code') ?? null);
  }
}

/** A participant in their own browser context, joined to a room by its link. */
export async function joinAs(browser: Browser, code: string, name: string): Promise<{ context: BrowserContext; playground: PlaygroundPage }> {
  const context = await browser.newContext();
  const playground = await PlaygroundPage.open(await context.newPage(), `/?room=${code}`);
  const participant = playground.page;
  await expect(participant.getByLabel('Room code')).toHaveValue(code);
  await participant.getByLabel('Your name').fill(name);
  await participant.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(participant.getByTestId('room-participant')).toContainText(`Room ${code}`);
  return { context, playground };
}
