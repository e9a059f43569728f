using System.Runtime.Loader;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Host.PluginLoading;

namespace DaxHolder.Tests.PluginLoading;

public class ShippedPluginsTests
{
    [Fact]
    public void Load_FromPluginsBesideTheHost_FindsXfsExt4AndErofs()
    {
        using var catalog = PluginLoader.Load(Sources.ShippedAnd());

        catalog.Errors.ShouldBeEmpty();
        catalog.Plugins.Select(p => (p.Name, string.Join(",", p.FileSystemNames)))
            .ShouldBe([("Erofs", "erofs"), ("Ext4", "ext4"), ("Xfs", "xfs")]);
        catalog.Plugins.ShouldAllBe(p => p.ContractVersion.Major == 1);
    }

    [Fact]
    public void ContractTypes_AreTheHostsOwn_WhilePluginCodeLivesInItsOwnContext()
    {
        using var catalog = PluginLoader.Load(Sources.ShippedAnd());
        var registration = catalog.Plugins.Single(p => p.Name == "Xfs").Registrations.Single();

        registration.ServiceType.ShouldBe(typeof(IFileSystemType), "the plugin's IFileSystemType must be the host's type, or the host could not resolve it");
        var implementation = registration.ImplementationType!;
        AssemblyLoadContext.GetLoadContext(implementation.Assembly).ShouldNotBe(AssemblyLoadContext.Default);
        AssemblyLoadContext.GetLoadContext(implementation.Assembly)!.IsCollectible.ShouldBeTrue();
        implementation.GetInterfaces().ShouldContain(typeof(IFileSystemType));
    }

    [Fact]
    public void PluginFolders_CarryNoCopyOfTheContract()
    {
        var plugins = Path.Combine(AppContext.BaseDirectory, "plugins");

        Directory.GetDirectories(plugins).Select(Path.GetFileName).Order(StringComparer.Ordinal).ShouldBe(["Erofs", "Ext4", "Xfs"]);
        Directory.GetFiles(plugins, "DaxHolder.Abstractions.dll", SearchOption.AllDirectories).ShouldBeEmpty();
        Directory.GetFiles(plugins, "Microsoft.Extensions.DependencyInjection.Abstractions.dll", SearchOption.AllDirectories).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("erofs", "#7")]
    public void Mkfs_BeforeTheFilesystemIsModelled_SaysSoWithEopnotsupp(string fs, string issue)
    {
        using var catalog = PluginLoader.Load(Sources.ShippedAnd());

        var result = catalog.FindFileSystemType(fs)!.Mkfs(new MkfsRequest(new TestBlockDevice(), FsOptions.Empty));

        result.Error.ShouldBe(Errno.EOPNOTSUPP);
        result.Message.ShouldNotBeNull().ShouldContain(issue);
    }
}
