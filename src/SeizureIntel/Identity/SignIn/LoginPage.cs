using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace SeizureIntel.Identity.SignIn;

/// <summary>
/// The node's sign-in page: user name and password, then the authenticator code when the user has a second factor;
/// ASP.NET Core Identity's <see cref="SignInManager{TUser}"/> checks both and locks an account after five failures.
/// Server-rendered HTML outside the interactive application, because signing in sets a cookie on an HTTP response;
/// in Russian or English like the rest (the language cookie, else Accept-Language).
/// </summary>
public static class LoginPage
{
    public const string Path = "/account/login";
    public const string CodePath = "/account/login/code";
    public const string LogoutPath = "/account/logout";

    public static void MapLoginPage(this WebApplication app)
    {
        app.MapGet(Path, (HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
            Page(context, antiforgery, Back(returnUrl), codeStep: false, null)).ExcludeFromDescription();
        app.MapPost(Path, PasswordAsync).ExcludeFromDescription().DisableAntiforgery();
        app.MapPost(CodePath, CodeAsync).ExcludeFromDescription().DisableAntiforgery();
        app.MapMethods(LogoutPath, ["GET", "POST"], async (SignInManager<NodeUser> signIns, string? returnUrl) =>
        {
            await signIns.SignOutAsync();
            return Results.LocalRedirect(Back(returnUrl));
        }).ExcludeFromDescription();
    }

    private static async Task<IResult> PasswordAsync(HttpContext context, IAntiforgery antiforgery, SignInManager<NodeUser> signIns)
    {
        if (!await antiforgery.IsRequestValidAsync(context)) return Results.BadRequest();
        var form = await context.Request.ReadFormAsync();
        var back = Back(form["returnUrl"]);
        var userName = form["username"].ToString().Trim();
        var result = await signIns.PasswordSignInAsync(userName, form["password"].ToString(), isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded) return Results.LocalRedirect(back);
        if (result.RequiresTwoFactor) return Page(context, antiforgery, back, codeStep: true, null);
        // Refused: in the audit with who tried and why (never the password); the page says no more than "wrong" or "locked".
        SignInRefusals.Refused(context, userName, StatusCodes.Status200OK,
            result.IsLockedOut ? "locked out" : result.IsNotAllowed ? "not allowed to sign in" : "wrong user name or password");
        return Page(context, antiforgery, back, codeStep: false, result.IsLockedOut ? "locked" : "wrong");
    }

    private static async Task<IResult> CodeAsync(HttpContext context, IAntiforgery antiforgery, SignInManager<NodeUser> signIns)
    {
        if (!await antiforgery.IsRequestValidAsync(context)) return Results.BadRequest();
        var form = await context.Request.ReadFormAsync();
        var back = Back(form["returnUrl"]);
        var code = form["code"].ToString().Replace(" ", "").Replace("-", "");
        var pending = await signIns.GetTwoFactorAuthenticationUserAsync();
        var result = await signIns.TwoFactorAuthenticatorSignInAsync(code, isPersistent: false, rememberClient: false);
        if (result.Succeeded) return Results.LocalRedirect(back);
        // No pending sign-in (the first step's cookie expired): start again.
        if (pending is null) return Page(context, antiforgery, back, codeStep: false, null);
        SignInRefusals.Refused(context, pending.UserName, StatusCodes.Status200OK,
            result.IsLockedOut ? "locked out (authenticator code)" : "wrong authenticator code");
        if (result.IsLockedOut) return Page(context, antiforgery, back, codeStep: false, "locked");
        return Page(context, antiforgery, back, codeStep: true, "code");
    }

    /// <summary>Only a path on this node: the page never sends anyone elsewhere.</summary>
    private static string Back(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") && !returnUrl.StartsWith("/\\") ? returnUrl : "/";

    private static IResult Page(HttpContext context, IAntiforgery antiforgery, string back, bool codeStep, string? error)
    {
        var ru = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ru";
        string T(string en, string rus) => WebUtility.HtmlEncode(ru ? rus : en);
        var tokens = antiforgery.GetAndStoreTokens(context);
        var message = error switch
        {
            "wrong" => T("Wrong user name or password.", "Неверное имя пользователя или пароль."),
            "locked" => T("This account is locked after too many failed attempts; try again in 15 minutes.",
                "Учётная запись заблокирована после нескольких неудачных попыток; повторите через 15 минут."),
            "code" => T("Wrong code.", "Неверный код."),
            _ => null,
        };
        var fields = codeStep
            ? $"""
               <p>{T("Enter the 6-digit code from your authenticator app.", "Введите 6-значный код из приложения-аутентификатора.")}</p>
               <label for="code">{T("Code", "Код")}</label>
               <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus>
               """
            : $"""
               <label for="username">{T("User name", "Имя пользователя")}</label>
               <input id="username" name="username" autocomplete="username" required autofocus>
               <label for="password">{T("Password", "Пароль")}</label>
               <input id="password" name="password" type="password" autocomplete="current-password" required>
               """;
        var html = $$"""
            <!DOCTYPE html>
            <html lang="{{(ru ? "ru" : "en")}}">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{T("Sign in", "Вход")}} — SeizureIntel</title>
            <style>
              body { font-family: Roboto, system-ui, sans-serif; background: #f5f5f5; color: #212121; margin: 0; }
              main { max-width: 22rem; margin: 10vh auto; background: #fff; padding: 2rem; border-radius: 4px; box-shadow: 0 1px 4px #0003; }
              h1 { font-size: 1.5rem; margin-top: 0; }
              label { display: block; margin-top: 1rem; font-weight: 500; }
              input { width: 100%; box-sizing: border-box; padding: .6rem; font-size: 1rem; border: 1px solid #757575; border-radius: 4px; }
              button { margin-top: 1.5rem; width: 100%; padding: .7rem; font-size: 1rem; background: #1565c0; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
              [role=alert] { color: #b71c1c; margin-top: 1rem; }
              nav { margin-top: 1rem; text-align: right; }
            </style></head>
            <body><main>
            <h1>{{T("Sign in to SeizureIntel", "Вход в SeizureIntel")}}</h1>
            {{(message is null ? "" : $"<p role=\"alert\">{message}</p>")}}
            <form method="post" action="{{(codeStep ? CodePath : Path)}}">
            <input type="hidden" name="{{tokens.FormFieldName}}" value="{{WebUtility.HtmlEncode(tokens.RequestToken)}}">
            <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(back)}}">
            {{fields}}
            <button type="submit">{{T("Sign in", "Войти")}}</button>
            </form>
            <nav><a href="/language/{{(ru ? "en" : "ru")}}?back={{WebUtility.UrlEncode(Path + "?returnUrl=" + back)}}">{{(ru ? "English" : "Русский")}}</a></nav>
            </main></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8");
    }
}
