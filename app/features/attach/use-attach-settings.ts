import { attachSettingsSchema, type AttachSettings } from '../../../protocol/messages.ts';
import { usePreference } from '../../common/use-preference.ts';

/** The attach settings, remembered across visits like a tool's last command line. */
export function useAttachSettings(): [AttachSettings, (next: AttachSettings) => void] {
  return usePreference<AttachSettings>('attach', attachSettingsSchema, {});
}
