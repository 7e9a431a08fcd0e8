using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NetVips;
using UpscaleFarm.Imaging;
using UpscaleFarm.Testing;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Console.Tests;

/// <summary>
/// The web console in headless Chromium (Debian's, driven by Playwright), against the real API and its
/// embedded farm on a loopback port: sign in, submit an image, watch the tile map fill, see the job
/// complete and open the viewer. Screenshots go to the test output folder's screenshots/.
/// </summary>
public sealed class ConsoleTests : IAsyncLifetime
{
    private readonly ApiFactory _api = new();
    private readonly string _screenshots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _url = "";

    public async Task InitializeAsync()
    {
        _api.UseKestrel(0);
        _api.StartServer();
        _url = _api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("UPSCALEFARM_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Sign_in_submit_watch_the_tiles_fill_and_open_the_viewer()
    {
        var image = Path.Combine(_screenshots, "..", "console-input.png");
        VipsSetup.EnsureConfigured();
        using (var source = Image.NewFromFile(RepoPaths.SharedImage("astronaut.png")))
            source.Crop(128, 64, 192, 160).WriteToFile(image);
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 1600 } });

        await page.GotoAsync(_url);
        await page.FillAsync("#api-key", "wrong-key");
        await page.ClickAsync("#sign-in-form button");
        await Assertions.Expect(page.Locator("#sign-in-error")).ToContainTextAsync("Sign-in failed");
        await page.FillAsync("#api-key", ApiFactory.AcmeKey);
        await page.ClickAsync("#sign-in-form button");
        await Assertions.Expect(page.Locator("#jobs-page")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#model option[value='general-x4v3']")).ToHaveCountAsync(1);

        await page.SetInputFilesAsync("#files", image);
        await page.FillAsync("#tile", "16");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_screenshots, "1-submit.png") });
        await page.ClickAsync("#submit");
        await page.WaitForURLAsync("**/#/jobs/*");

        // 12 × 10 = 120 tiles of 16 pixels: the map is seen part-filled before the job completes.
        var seen = new SortedSet<int>();
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (await page.Locator("#job-page").GetAttributeAsync("data-state") != "completed" && DateTime.UtcNow < deadline)
        {
            if (await page.Locator("#tile-map").GetAttributeAsync("data-tiles-done") is { } done)
                seen.Add(int.Parse(done));
            if (seen.Count == 2)
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_screenshots, "2-tiles-filling.png") });
            await Task.Delay(100);
        }
        Assert.Equal("completed", await page.Locator("#job-page").GetAttributeAsync("data-state"));
        Assert.Contains(seen, n => n is > 0 and < 120);
        await Assertions.Expect(page.Locator("#tile-map")).ToHaveAttributeAsync("data-tiles-done", "120");
        await Assertions.Expect(page.Locator("#job-state")).ToContainTextAsync("120/120 tiles");

        await Assertions.Expect(page.Locator("#compare-section")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#viewer")).ToHaveAttributeAsync("data-opened", "true");
        // The viewer reads the result as a Deep Zoom pyramid, tile by tile, with the key.
        await page.WaitForFunctionAsync("() => Number(document.getElementById('viewer').dataset.tilesLoaded || 0) > 0");
        Assert.Equal(768, await page.Locator("#after").EvaluateAsync<int>("img => img.naturalWidth"));
        await page.Locator("#compare-slider").FillAsync("80");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_screenshots, "3-completed.png"), FullPage = true });

        await page.ClickAsync("text=← Jobs");
        await Assertions.Expect(page.Locator("#jobs tbody tr .state").First).ToHaveTextAsync("completed");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(_screenshots, "4-jobs.png") });
    }
}
