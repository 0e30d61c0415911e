'use client';

import { useEffect, useRef } from 'react';
import { Button } from '../../common/Button.tsx';
import styles from './rooms.module.css';

interface ProjectorViewProps {
  code: string;
  title: string;
  link: string;
  joined: number;
  onClose(): void;
}

/**
 * The room's code and join link over the whole window, for the projector:
 * read from the back of a room, so the code is as large as the screen allows
 * and the link is plain text (no QR image: nothing may come from elsewhere).
 */
export function ProjectorView({ code, title, link, joined, onClose }: ProjectorViewProps) {
  const surface = useRef<HTMLDivElement>(null);
  const close = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    close.current?.focus();
    return () => opener?.focus();
  }, []);

  const fullScreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void surface.current?.requestFullscreen();
  };

  return (
    <div
      ref={surface}
      className={styles.projector}
      role="dialog"
      aria-modal="true"
      aria-label="Room code for the projector"
      onKeyDown={(event) => {
        // Esc closes the projector view; it must not also stop the instructor's run.
        if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          if (document.fullscreenElement) void document.exitFullscreen();
          onClose();
        }
      }}
    >
      <div className={styles.projectorBar}>
        <span className={styles.projectorTitle}>{title}</span>
        {document.fullscreenEnabled && (
          <Button compact onClick={fullScreen}>
            Full screen
          </Button>
        )}
        <Button compact ref={close} onClick={onClose}>
          Close (Esc)
        </Button>
      </div>
      <div className={styles.projectorBody}>
        <p className={styles.projectorLead}>Join the workshop with the code</p>
        <p className={styles.projectorCode} data-testid="projector-code">
          {code}
        </p>
        <p className={styles.projectorLead}>or open</p>
        <p className={styles.projectorLink}>{link}</p>
        <p className={styles.projectorJoined}>{joined === 1 ? '1 person has joined' : `${joined.toLocaleString('en')} people have joined`}</p>
      </div>
    </div>
  );
}
