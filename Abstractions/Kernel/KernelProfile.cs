namespace DaxHolder.Abstractions.Kernel;

/// <summary>
/// The kernel version a scenario runs against: where kernel versions differ, the profile
/// decides. The host defines the profiles (6.1 and 6.12 first); a filesystem only reads them.
/// </summary>
public sealed class KernelProfile
{
    private readonly HashSet<KernelFeature> features;

    /// <summary>A profile with a short name ("6.1"), the exact release it models and its features.</summary>
    public KernelProfile(string name, KernelVersion version, IEnumerable<KernelFeature> features)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(features);
        Name = name;
        Version = version;
        this.features = [.. features];
    }

    /// <summary>The name scenarios and the CLI use, e.g. "6.12".</summary>
    public string Name { get; }

    /// <summary>The release the profile was checked against, e.g. 6.12.95.</summary>
    public KernelVersion Version { get; }

    /// <summary>The features, in declaration order.</summary>
    public IReadOnlyList<KernelFeature> Features => [.. features.Order()];

    /// <summary>Whether this kernel behaves as <paramref name="feature"/> describes.</summary>
    public bool Has(KernelFeature feature) => features.Contains(feature);

    /// <summary>"6.12 (6.12.95)".</summary>
    public override string ToString() => $"{Name} ({Version})";
}
