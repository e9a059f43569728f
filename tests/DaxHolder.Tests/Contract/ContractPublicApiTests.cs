using DaxHolder.Abstractions.Plugins;
using DaxHolder.Tests.Support;

namespace DaxHolder.Tests.Contract;

/// <summary>The plugin contract is what third parties compile against: every change to it is a reviewed diff.</summary>
public class ContractPublicApiTests
{
    [Fact]
    public void PublicApi_OfAbstractions_MatchesApproved() =>
        PublicApiText.Render(typeof(IDaxHolderPlugin).Assembly).ShouldMatchApprovedText();

    [Fact]
    public void AssemblyVersion_IsPinnedToTheContractMajor()
    {
        var version = typeof(IDaxHolderPlugin).Assembly.GetName().Version!;

        version.ShouldBe(new Version(DaxHolderContract.Major, 0, 0, 0), "plugins bind by major: minor and patch must stay 0");
    }

    [Fact]
    public void Abstractions_DependsOnlyOnTheDiAbstractionsBeyondTheRuntime()
    {
        var references = typeof(IDaxHolderPlugin).Assembly.GetReferencedAssemblies()
            .Select(r => r.Name!)
            .Where(n => !n.StartsWith("System", StringComparison.Ordinal) && n != "netstandard")
            .ToList();

        references.ShouldBe(["Microsoft.Extensions.DependencyInjection.Abstractions"], "DESIGN.md: nothing beyond the DI abstractions crosses into the contract");
    }
}
