import { archivePartitionParams, archivePartitionWidthMs } from './archive-partitions';

const MINUTE = 60 * 1_000;
const HOUR = 60 * MINUTE;

describe('archivePartitionWidthMs', () => {
  it('sizes partitions at a quarter of the retention, between a minute and a day', () => {
    expect(archivePartitionWidthMs(24 * HOUR)).toBe(6 * HOUR);
    expect(archivePartitionWidthMs(HOUR)).toBe(15 * MINUTE);
    expect(archivePartitionWidthMs(10_000)).toBe(MINUTE);
    expect(archivePartitionWidthMs(30 * 24 * HOUR)).toBe(24 * HOUR);
  });
});

describe('archivePartitionParams', () => {
  it('asks for partitions of that width reaching two widths ahead', () => {
    expect(archivePartitionParams(24 * HOUR)).toEqual([6 * HOUR, 12 * HOUR]);
  });
});
