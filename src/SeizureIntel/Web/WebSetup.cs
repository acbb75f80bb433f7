using System.Globalization;
using Microsoft.AspNetCore.Localization;
using MudBlazor.Services;
using SeizureIntel.Web.Shell;

namespace SeizureIntel.Web;

/// <summary>
/// The node's web application: a Blazor Web App (interactive server components) in the node's own process, served at
/// <c>/</c> beside the HTTP API. Its pages read and write through that API (see <see cref="NodeApi"/>), so every rule —
/// validation, If-Match, sharing, and soon who may do what — stays in one place.
/// </summary>
public static class WebSetup
{
    public static void AddWebApp(this WebApplicationBuilder builder)
    {
        // Libraries' static files (MudBlazor's, wwwroot/lib) come from the build's manifest, also outside Development.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddAuthorization(o => WebPolicies.Define(o, signIn: true));
        builder.AddWebSignIn();
        builder.Services.AddHttpClient<NodeApi>();
        builder.Services.AddScoped<Text>();
        builder.Services.AddSingleton<OblastShapes>();
        builder.Services.Configure<RequestLocalizationOptions>(o =>
        {
            o.SupportedCultures = o.SupportedUICultures = Languages.Cultures;
            o.DefaultRequestCulture = new RequestCulture(Languages.Cultures[0]);
            // The user's choice (a cookie the language switch sets) first, then the browser's Accept-Language.
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
    }

    public static void MapWebApp(this WebApplication app)
    {
        app.UseRequestLocalization();
        app.UseAntiforgery();
        if (File.Exists(Path.Combine(AppContext.BaseDirectory, $"{app.Environment.ApplicationName}.staticwebassets.endpoints.json")))
            app.MapStaticAssets();
        else
            app.UseStaticFiles();
        app.MapGet("/language/{code}", (string code, string? back, HttpContext context) => Languages.Choose(context, code, back))
            .ExcludeFromDescription();
        app.MapWebSignIn();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}

/// <summary>The two languages of the application; the first is the default when a browser asks for neither.</summary>
public static class Languages
{
    public static readonly IList<CultureInfo> Cultures = [new("en-GB"), new("ru-RU")];

    /// <summary>Remembers the choice (a year-long cookie) and goes back to the page it was made on.</summary>
    public static IResult Choose(HttpContext context, string code, string? back)
    {
        var culture = Cultures.FirstOrDefault(c => c.TwoLetterISOLanguageName == code) ?? Cultures[0];
        context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true });
        var target = back is { Length: > 0 } && back.StartsWith('/') && !back.StartsWith("//") ? back : "/";
        return Results.LocalRedirect(target);
    }
}
