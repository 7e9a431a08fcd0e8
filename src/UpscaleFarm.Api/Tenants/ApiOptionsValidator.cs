using Microsoft.Extensions.Options;
using UpscaleFarm.Api.Webhooks;

namespace UpscaleFarm.Api.Tenants;

/// <summary>
/// The API's settings checked when it starts (ValidateOnStart): a tenant or webhook setting out of range stops the start,
/// named as it is written (Api:Tenants:0:Weight, Api__Tenants__0__Weight), rather than misbehaving on the first request.
/// </summary>
public sealed class ApiOptionsValidator : IValidateOptions<ApiOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiOptions options)
    {
        var failures = new List<string>();
        void Check(bool valid, string setting, string rule)
        {
            if (!valid)
                failures.Add($"{ApiOptions.Section}:{setting} {rule}");
        }

        // Enum.Parse, which binds it, also takes numbers ("7"), which name no choice.
        Check(options.ResultDelivery is null || Enum.IsDefined(options.ResultDelivery.Value), nameof(ApiOptions.ResultDelivery), "must be 'redirect' or 'proxy'");
        Check(options.WebhookProxy.Length == 0 || Uri.TryCreate(options.WebhookProxy, UriKind.Absolute, out var proxy) && proxy.Scheme is "http" or "https",
            nameof(ApiOptions.WebhookProxy), "must be empty or an http(s) URL");
        for (var i = 0; i < options.Tenants.Count; i++)
        {
            var tenant = options.Tenants[i];
            var prefix = $"{nameof(ApiOptions.Tenants)}:{i}:";
            Check(tenant.Weight is >= 1 and <= 100, prefix + nameof(TenantOptions.Weight), $"must be 1 to 100 (tenant '{tenant.Name}')");
            Check(tenant.MaxEventStreams >= 1, prefix + nameof(TenantOptions.MaxEventStreams), $"must be at least 1 (tenant '{tenant.Name}')");
            Check(tenant.MaxScratchBytes >= 0, prefix + nameof(TenantOptions.MaxScratchBytes), $"must be at least 0 (tenant '{tenant.Name}')");
            Check(WebhookSignature.IsValidSecret(tenant.WebhookSecret), prefix + nameof(TenantOptions.WebhookSecret),
                $"that starts with {WebhookSignature.SecretPrefix} must be base64 after it (tenant '{tenant.Name}')");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
