using UpscaleFarm.Farm.Configuration;

namespace UpscaleFarm.Farm.Tests;

/// <summary>
/// The farm's data directory defaults to the user's data folder, never to the working directory: `dotnet run` in a
/// project folder once wrote a job store into the source tree.
/// </summary>
public sealed class DataDirectoryDefaultTests
{
    [Fact]
    public void The_default_is_absolute_and_not_under_the_working_directory()
    {
        var directory = new FarmOptions().DataDirectory;

        Assert.True(Path.IsPathFullyQualified(directory), directory);
        var working = Path.TrimEndingDirectorySeparator(Environment.CurrentDirectory) + Path.DirectorySeparatorChar;
        Assert.False(Path.GetFullPath(directory).StartsWith(working, StringComparison.Ordinal), $"{directory} is under {working}");
        Assert.Equal("upscalefarm", Path.GetFileName(directory));
        // With a home, the default is the user's data folder exactly as .NET reports it on Linux ($XDG_DATA_HOME or ~/.local/share).
        if (Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify) is { Length: > 1 })
            Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
                "upscalefarm"), directory);
    }

    [Fact]
    public void It_is_under_xdg_data_home_when_that_is_absolute_else_under_the_home_folder()
    {
        Assert.Equal("/srv/data/upscalefarm", FarmOptions.DataDirectoryFor("/srv/data", "/home/ann"));
        Assert.Equal("/home/ann/.local/share/upscalefarm", FarmOptions.DataDirectoryFor(null, "/home/ann"));
        Assert.Equal("/home/ann/.local/share/upscalefarm", FarmOptions.DataDirectoryFor("", "/home/ann"));
        // The XDG specification ignores a relative XDG_DATA_HOME; taking it would put the farm under the working directory.
        Assert.Equal("/home/ann/.local/share/upscalefarm", FarmOptions.DataDirectoryFor("data", "/home/ann"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/")] // what .NET reports when there is no home
    [InlineData("home")]
    public void Without_a_home_it_is_under_the_system_temp_directory(string? home)
    {
        var directory = FarmOptions.DataDirectoryFor(null, home);

        Assert.True(Path.IsPathFullyQualified(directory), directory);
        Assert.Equal(Path.GetTempPath(), Path.GetDirectoryName(directory) + Path.DirectorySeparatorChar);
        Assert.StartsWith("upscalefarm", Path.GetFileName(directory));
    }
}
