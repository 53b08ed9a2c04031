import { useEffect } from 'react';
import type { EventName, EventPayload, SkysiftBridge } from '../../shared/contract';

export function useBridgeEvent<E extends EventName>(
  bridge: SkysiftBridge,
  event: E,
  listener: (payload: EventPayload<E>) => void,
) {
  useEffect(() => bridge.on(event, listener), [bridge, event, listener]);
}
