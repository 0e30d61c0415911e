import { PlaygroundLoader } from './components/PlaygroundLoader.tsx';

export default function Page() {
  return <PlaygroundLoader />;
}
