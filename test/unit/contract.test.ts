import { describe, expect, it } from 'vitest';
import { ContractError, parseArgs, parseEvent } from '../../src/shared/contract';
import { createApi } from '../../src/main/api';
import { Services } from '../../src/main/services';

describe('the contract', () => {
  it('rejects wrong arguments with a message naming the call and the field', () => {
    expect(() => parseArgs('workspaceOpen', { dir: 42 })).toThrow(ContractError);
    expect(() => parseArgs('workspaceOpen', { dir: 42 })).toThrow(/workspaceOpen.*dir/s);
    expect(() => parseArgs('candidatesStamps', { ids: [] })).toThrow(/ids/);
    expect(() => parseArgs('appInfo', { extra: 1 })).toThrow(/appInfo/);
  });

  it('accepts right arguments and fills defaults', () => {
    expect(parseArgs('workspaceOpen', { dir: '/x' })).toEqual({ dir: '/x', create: false });
  });

  it('validates events', () => {
    expect(() => parseEvent('jobProgress', { jobId: 'x' })).toThrow(/jobProgress/);
  });

  it('the api refuses unknown calls and bad arguments before running anything', async () => {
    const api = createApi(new Services({ host: 'browser', version: 'test' }));
    await expect(api.handle('rm -rf', {})).rejects.toThrow(/unknown call/);
    await expect(api.handle('workspaceOpen', { dir: '' })).rejects.toThrow(
      /Invalid message for "workspaceOpen"/,
    );
    await expect(api.handle('candidatesList', {})).rejects.toThrow(/No workspace is open/);
    const info = (await api.handle('appInfo', {})) as { host: string; backend: { name: string | null } };
    expect(info.host).toBe('browser');
    expect(info.backend.name).toBeNull();
  });
});
