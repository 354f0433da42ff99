import { describe, expect, it } from 'vitest';
import { HostPolicy } from '../../src/ingest/address.js';

describe('HostPolicy', () => {
  const none = new HostPolicy();

  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.9', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['224.0.0.1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
  ])('refuses %s (%s)', (address, range) => {
    expect(none.refusal('news.example', address)).toContain(`(${range})`);
  });

  it.each(['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111'])('allows the public address %s', (address) => {
    expect(none.refusal('news.example', address)).toBeUndefined();
  });

  it('allows what INGEST_ALLOW_HOSTS lists: a name (whatever it resolves to), an address, a CIDR range', () => {
    const policy = HostPolicy.parse('intranet.newsroom, 127.0.0.1, 10.20.0.0/16 fd00::/8');
    if ('problem' in policy) throw new Error(policy.problem);
    expect(policy.refusal('intranet.newsroom', '10.9.9.9')).toBeUndefined();
    expect(policy.refusal('x', '127.0.0.1')).toBeUndefined();
    expect(policy.refusal('x', '127.0.0.2')).toContain('loopback');
    expect(policy.refusal('x', '10.20.3.4')).toBeUndefined();
    expect(policy.refusal('x', '10.21.3.4')).toContain('private');
    expect(policy.refusal('x', 'fd12::1')).toBeUndefined();
  });

  it('names a bad entry of INGEST_ALLOW_HOSTS', () => {
    expect(HostPolicy.parse('10.0.0.0/99')).toEqual({ problem: '"10.0.0.0/99" is not a CIDR range' });
    expect(HostPolicy.parse('http://x')).toMatchObject({ problem: expect.stringContaining('"http://x"') });
  });

  it('refuses before any request: other schemes, credentials, names that resolve inside', async () => {
    await expect(none.check(new URL('file:///etc/passwd'))).rejects.toMatchObject({ reason: 'url' });
    await expect(none.check(new URL('gopher://news.example/'))).rejects.toMatchObject({ reason: 'url' });
    await expect(none.check(new URL('http://user:pw@8.8.8.8/'))).rejects.toMatchObject({ reason: 'url' });
    await expect(none.check(new URL('http://localhost:9/'))).rejects.toMatchObject({ reason: 'address' });
    await expect(none.check(new URL('http://[::1]:9/'))).rejects.toMatchObject({ reason: 'address' });
    await expect(none.check(new URL('http://2130706433/'))).rejects.toMatchObject({ reason: 'address' }); // 127.0.0.1 as a number
  });
});
