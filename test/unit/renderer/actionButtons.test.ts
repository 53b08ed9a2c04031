/**
 * The desk's buttons show the keys of the action registry, not their own copies: rendered to
 * markup with a registry whose keys differ from the shipped ones, the buttons follow it.
 */
import 'fake-indexeddb/auto';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SkysiftBridge } from '../../../src/shared/contract';
import { DeskStore } from '../../../src/renderer/src/desk/deskStore';
import { deskActions } from '../../../src/renderer/src/desk/actions/deskActions';
import { ActionKeys } from '../../../src/renderer/src/desk/actions/actionKeys';
import { LabelStore } from '../../../src/renderer/src/desk/labels/labelStore';
import { LabelBar } from '../../../src/renderer/src/desk/labels/LabelBar';
import { SidePanel } from '../../../src/renderer/src/desk/SidePanel';
import { TopBar } from '../../../src/renderer/src/desk/TopBar';
import { installBrowserGlobals } from './browserGlobals';

beforeAll(installBrowserGlobals);

const bridge: SkysiftBridge = {
  invoke: () => Promise.reject(new Error('no host in this test')),
  on: () => () => undefined,
};

/** A desk whose registry binds some actions to other keys than the shipped ones. */
function rebound(keys: Record<string, string[]>): DeskStore {
  const desk = new DeskStore(bridge, new LabelStore(`buttons-${Math.random()}`));
  for (const a of deskActions()) desk.actions.register({ ...a, keys: keys[a.id] ?? a.keys });
  return desk;
}

const kbds = (html: string) => [...html.matchAll(/<kbd>([^<]*)<\/kbd>/g)].map((m) => m[1]);

describe('buttons read their keys from the action registry', () => {
  it('the top bar', () => {
    const shipped = rebound({});
    const render = (desk: DeskStore) =>
      renderToStaticMarkup(
        createElement(TopBar, {
          desk,
          workspace: null,
          panels: desk.panels.getSnapshot(),
          theme: 'dark',
        }),
      );
    expect(kbds(render(shipped))).toEqual(['N', 'M', 'E', 'G', 'T', '?']);
    const other = rebound({
      stats: ['q'],
      theme: ['F2'],
      help: ['h'],
      'night-panel': ['w'],
      'cycle-filter': ['F'],
    });
    const html = render(other);
    expect(kbds(html)).toEqual(['W', 'M', 'E', 'Q', 'F2', 'H']);
    expect(html).toContain('title="Dark / light theme (F2)"');
  });

  it('the label bar, with undo and redo disabled while there is nothing to take back or give again', () => {
    const desk = rebound({ redo: ['Insert'] });
    const html = renderToStaticMarkup(createElement(LabelBar, { desk, undoDepth: 0, redoDepth: 1 }));
    expect(kbds(html)).toEqual(['R', 'B', 'S', 'U', 'Insert', 'Up', 'Down']);
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*data-action="undo"/);
    expect(html).not.toMatch(/<button[^>]*disabled=""[^>]*data-action="redo"/);
  });

  it("a side panel's Close shows the key of the action that toggles it", () => {
    const desk = rebound({ 'model-panel': ['F9'] });
    const html = renderToStaticMarkup(
      createElement(
        ActionKeys.Provider,
        { value: desk.actions },
        createElement(SidePanel, {
          title: 'Model',
          testId: 'model-panel',
          closeAction: 'model-panel',
          onClose: () => undefined,
          children: null,
        }),
      ),
    );
    expect(kbds(html)).toEqual(['F9']);
  });

  it('refuses a button for an action nobody registered', () => {
    const desk = rebound({});
    const html = () =>
      renderToStaticMarkup(
        createElement(
          ActionKeys.Provider,
          { value: desk.actions },
          createElement(SidePanel, {
            title: 'X',
            testId: 'x',
            closeAction: 'no-such-action',
            onClose: () => undefined,
            children: null,
          }),
        ),
      );
    expect(html).toThrow(/no action "no-such-action"/);
  });
});
