'use client';

import { Banner } from '../../common/Banner.tsx';
import type { SharedProgramHandle } from './use-shared-program.ts';
import ui from '../../common/ui.module.css';

/** The sentence about a shared program: opened (press Run), or why it could not be. */
export function SharedProgramBanner({ shared, dismiss }: SharedProgramHandle) {
  if (shared?.kind === 'opened') {
    return (
      <Banner
        tone="info"
        testId="share-banner"
        actions={
          <button type="button" className={ui.linkButton} onClick={dismiss}>
            Dismiss
          </button>
        }
      >
        Opened a shared program: press Run to start it.
      </Banner>
    );
  }
  if (shared?.kind === 'failed') {
    return (
      <Banner tone="error" testId="share-banner">
        {shared.message}
      </Banner>
    );
  }
  return null;
}
