using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Tenants;
using UpscaleFarm.Farm.Configuration;
using UpscaleFarm.Models.Catalog;
using UpscaleFarm.Testing.Api;

namespace UpscaleFarm.Api.Tests;

/// <summary>
/// Settings are bound once, as users write them (README, the chart, the compose file: lower case), and checked when a
/// host starts: a value out of range stops the start with the setting named.
/// </summary>
// In the API's collection, so its hosts' starts run apart from the tests that measure the process's allocations.
[Collection(ApiCollection.Name)]
public sealed class SettingsTests
{
    private sealed class RefusedApiFactory(string key, string value) : ApiFactory(new Dictionary<string, string?> { [key] = value });

    private static IConfiguration Configuration(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, s.Value))).Build();

    [Theory]
    [InlineData("inmemory", FarmTransport.InMemory)]
    [InlineData("rabbitmq", FarmTransport.RabbitMq)]
    [InlineData("RabbitMq", FarmTransport.RabbitMq)]
    public void The_transport_binds_from_the_values_users_write(string value, FarmTransport expected)
    {
        var farm = FarmOptions.Read(Configuration(("Farm:Transport", value)));
        Assert.Equal(expected, farm.Transport);
        Assert.Equal(expected == FarmTransport.RabbitMq, farm.UsesRabbitMq);
        // Unfinished work is republished at start where the queues die with the process, unless told otherwise.
        Assert.Equal(expected == FarmTransport.InMemory, farm.ResumesOnStart);
    }

    [Theory]
    [InlineData("sqlite", FarmDatabase.Sqlite)]
    [InlineData("postgres", FarmDatabase.Postgres)]
    [InlineData("postgresql", FarmDatabase.Postgres)]
    [InlineData("PostgreSQL", FarmDatabase.Postgres)]
    public void The_database_binds_from_the_values_users_write(string value, FarmDatabase expected) =>
        Assert.Equal(expected, FarmOptions.Read(Configuration(("Farm:Database", value))).Database);

    [Theory]
    [InlineData("filesystem", FarmStorage.FileSystem)]
    [InlineData("s3", FarmStorage.S3)]
    public void The_storage_binds_from_the_values_users_write(string value, FarmStorage expected) =>
        Assert.Equal(expected, FarmOptions.Read(Configuration(("Farm:Storage", value))).Storage);

    [Fact]
    public void Nothing_set_is_the_embedded_farm()
    {
        var farm = FarmOptions.Read(Configuration());
        Assert.Equal((FarmTransport.InMemory, FarmDatabase.Sqlite, FarmStorage.FileSystem, true), (farm.Transport, farm.Database, farm.Storage, farm.ResumesOnStart));
        Assert.False(FarmOptions.Read(Configuration(("Farm:ResumeOnStart", "false"))).ResumesOnStart);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)] // the chart's unset value
    [InlineData("redirect", false)]
    [InlineData("proxy", true)]
    [InlineData("Proxy", true)]
    public void The_result_delivery_binds_from_the_values_users_write(string? value, bool proxies)
    {
        var api = Configuration(value is null ? [] : [("Api:ResultDelivery", value)]).GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
        Assert.Equal(proxies, api.ProxiesResults);
    }

    [Theory]
    [InlineData("Api:Tenants:0:Weight", "0", "Api:Tenants:0:Weight must be 1 to 100")]
    [InlineData("Api:Tenants:0:Weight", "101", "Api:Tenants:0:Weight must be 1 to 100")]
    [InlineData("Api:Tenants:1:MaxEventStreams", "0", "Api:Tenants:1:MaxEventStreams must be at least 1")]
    [InlineData("Api:Tenants:0:MaxScratchBytes", "-1", "Api:Tenants:0:MaxScratchBytes must be at least 0")]
    [InlineData("Api:WebhookProxy", "ftp://proxy", "Api:WebhookProxy must be empty or an http(s) URL")]
    [InlineData("Farm:Worker:BatchSize", "0", "Farm:Worker:BatchSize must be at least 1")]
    [InlineData("Farm:Assembler:PngCompression", "10", "Farm:Assembler:PngCompression must be 0 to 9")]
    public void A_setting_out_of_range_stops_the_start_and_is_named(string key, string value, string expected)
    {
        using var api = new RefusedApiFactory(key, value);
        var refusal = Assert.IsType<OptionsValidationException>(Record.Exception(() => api.CreateClient()));
        Assert.Contains(expected, refusal.Message);
    }

    [Theory]
    [InlineData("Farm:Transport", "kafka")]
    [InlineData("Farm:Database", "mysql")]
    [InlineData("Farm:Storage", "azure")]
    public void A_choice_that_names_none_stops_the_start_and_is_named(string key, string value)
    {
        using var api = new RefusedApiFactory(key, value);
        var refusal = Assert.IsType<InvalidOperationException>(Record.Exception(() => api.CreateClient()));
        Assert.Contains(key, refusal.Message);
    }

    [Fact]
    public void Settings_set_in_code_are_what_the_host_chooses_with_and_what_its_services_read()
    {
        var data = Directory.CreateTempSubdirectory("upscalefarm-settings-").FullName;
        try
        {
            FarmOptions? chosenWith = null;
            using var host = FarmHost.Build(options =>
            {
                chosenWith = options;
                return FarmRoles.None;
            }, useDefaults: false, farm: farm =>
            {
                farm.DataDirectory = data;
                farm.ResumeOnStart = false;
                farm.Worker.BatchSize = 3;
            });
            Assert.Equal((data, 3, false), (chosenWith!.DataDirectory, chosenWith.Worker.BatchSize, chosenWith.ResumesOnStart));
            var bound = host.Services.GetRequiredService<IOptions<FarmOptions>>().Value;
            Assert.Equal((data, 3, false), (bound.DataDirectory, bound.Worker.BatchSize, bound.ResumesOnStart));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void The_models_directory_is_the_one_setting_and_empty_falls_back_as_before()
    {
        var models = ModelCatalog.Locate();
        Assert.Equal(models, FarmOptions.Read(Configuration(("Farm:ModelsDirectory", models))).LoadModels().Directory);
        Assert.Equal(models, FarmOptions.Read(Configuration()).LoadModels().Directory);
    }
}
