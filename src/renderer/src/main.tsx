import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getBridge } from './transport/bridge';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
try {
  const { bridge, transport } = getBridge();
  root.render(
    <StrictMode>
      <App bridge={bridge} transport={transport} />
    </StrictMode>,
  );
} catch (e) {
  root.render(<p className="fatal">{(e as Error).message}</p>);
}
