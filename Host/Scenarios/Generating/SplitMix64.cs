namespace DaxHolder.Scenarios.Generating;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a small generator whose sequence is fixed by its seed
/// on every runtime, so a generated scenario is the same for a seed everywhere (System.Random's
/// algorithm is not a documented contract).
/// </summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong state = seed;

    public ulong Next()
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A number in [0, <paramref name="bound"/>).</summary>
    public int Below(int bound) => bound <= 0 ? 0 : (int)(Next() % (ulong)bound);

    /// <summary>True with probability <paramref name="p"/> (53 random bits against p).</summary>
    public bool Chance(double p) => p >= 1 || (p > 0 && (Next() >> 11) * (1.0 / (1UL << 53)) < p);
}
