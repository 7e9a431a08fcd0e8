using UpscaleFarm.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddJobApi();

var app = builder.Build();
app.MapJobApi();
app.Run();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
