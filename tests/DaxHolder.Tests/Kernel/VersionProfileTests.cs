using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Versions;

namespace DaxHolder.Tests.Kernel;

/// <summary>The two kernel profiles and the switches that separate them.</summary>
public sealed class VersionProfileTests
{
    /// <summary>Profiles are found by their short name; an unknown name finds none.</summary>
    [Theory]
    [InlineData("6.1", 6, 1, 192)]
    [InlineData("6.12", 6, 12, 95)]
    public void Find_ByName_GivesTheObservedRelease(string name, int major, int minor, int patch)
    {
        var profile = KernelProfiles.Find(name).ShouldNotBeNull();

        profile.Version.ShouldBe(new KernelVersion(major, minor, patch), "the Debian builds observed under QEMU");
    }

    /// <summary>A version without a profile (6.6) is not found.</summary>
    [Fact]
    public void Find_UnknownVersion_IsNull()
    {
        KernelProfiles.Find("6.6").ShouldBeNull();
    }

    /// <summary>The switches that differ between the two profiles.</summary>
    [Theory]
    [InlineData(KernelFeature.MemPreRemove, false, true)]
    [InlineData(KernelFeature.DaxFaultReportsHwpoison, false, true)]
    [InlineData(KernelFeature.GenericPathSkipsEfaultAddress, false, true)]
    [InlineData(KernelFeature.DaxSharedOnReadFault, false, true)]
    [InlineData(KernelFeature.DaxLockFolio, false, true)]
    [InlineData(KernelFeature.MadviseActionRequired, false, true)]
    [InlineData(KernelFeature.XfsDaxExperimentalWarning, true, false)]
    [InlineData(KernelFeature.ReflinkedInodesNotDax, true, false)]
    [InlineData(KernelFeature.XfsInclusiveRangeEnd, true, true)]
    [InlineData(KernelFeature.XfsCorrectAgBlockcount, true, true)]
    [InlineData(KernelFeature.FolioRefcounts, false, false)]
    public void Feature_IsInTheProfilesThatHaveIt(KernelFeature feature, bool in61, bool in612)
    {
        KernelProfiles.V6_1.Has(feature).ShouldBe(in61, $"6.1.192 {(in61 ? "has" : "lacks")} {feature}");
        KernelProfiles.V6_12.Has(feature).ShouldBe(in612, $"6.12.95 {(in612 ? "has" : "lacks")} {feature}");
    }

    /// <summary>A scenario that names no kernel runs on 6.12.</summary>
    [Fact]
    public void Default_Is612()
    {
        KernelProfiles.Default.ShouldBeSameAs(KernelProfiles.V6_12);
    }
}
