using System.Runtime.Loader;
using DaxHolder.Abstractions.Fs;
using DaxHolder.PluginLoading;

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

    /// <summary>The shipped erofs type builds its files at mkfs (mkfs.erofs IMAGE DIR); XFS and ext4 make theirs after mount.</summary>
    [Theory]
    [InlineData("erofs", true)]
    [InlineData("ext4", false)]
    [InlineData("xfs", false)]
    public void BuildsFilesAtMkfs_OnlyForErofs(string fs, bool builds)
    {
        using var catalog = PluginLoader.Load(Sources.ShippedAnd());

        Support.ShippedPlugins.Register(catalog, fs).Type.BuildsFilesAtMkfs.ShouldBe(builds);
    }

    [Fact]
    public void ErofsMkfs_WithNoFiles_BuildsAnImageOfTheRootDirectoryOnly()
    {
        using var catalog = PluginLoader.Load(Sources.ShippedAnd());

        var result = Support.ShippedPlugins.Register(catalog, "erofs").Type.Mkfs(new MkfsRequest(new TestBlockDevice(), FsOptions.Empty));

        result.IsOk.ShouldBeTrue(result.Message);
        result.Value.FileSystemType.ShouldBe("erofs");
    }
}
