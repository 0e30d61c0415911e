/** A raised hand, drawn rather than an emoji: the page must not depend on an emoji font being installed. */
import styles from './rooms.module.css';
export function HandIcon() {
  return (
    <svg className={styles.handIcon} viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M5 7V2.5a1 1 0 0 1 2 0V7V1.5a1 1 0 0 1 2 0V7V2.5a1 1 0 0 1 2 0V8V4.5a1 1 0 0 1 2 0V10a5 5 0 0 1-5 5H7.5A4.5 4.5 0 0 1 3.3 12L1.8 8.6a1 1 0 0 1 1.7-1L5 9.5Z"
      />
    </svg>
  );
}
