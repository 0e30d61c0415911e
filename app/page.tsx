import { PlaygroundLoader } from './features/playground/PlaygroundLoader.tsx';

export default function Page() {
  return <PlaygroundLoader />;
}
