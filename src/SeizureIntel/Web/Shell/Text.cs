using System.Globalization;
using System.Text.RegularExpressions;
using SeizureIntel.Facilities;
using SeizureIntel.Reference;

namespace SeizureIntel.Web.Shell;

/// <summary>
/// Everything the application says, in English and Russian, chosen by the request's culture (the language switch's
/// cookie, else Accept-Language). Vocabulary names come from the reference data, which already has both.
/// </summary>
public sealed partial class Text(ReferenceData reference, FacilityCatalog facilities)
{
    public bool Russian => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "ru";
    public string Language => Russian ? "ru" : "en";

    /// <summary>The text of a key; a missing key shows as ⟦key⟧ so that a test (and a reader) sees it at once.</summary>
    public string this[string key] => Strings.TryGetValue(key, out var s) ? (Russian ? s.Ru : s.En) : $"⟦{key}⟧";

    public string Format(string key, params object?[] args) => string.Format(CultureInfo.CurrentCulture, this[key], args);

    public string Name(Term term) => term.Name(Language);
    public string OtherName(Term term) => Russian ? term.En : term.Ru;

    /// <summary>A code's name in the user's language; the code itself when the vocabulary does not know it.</summary>
    public string Term(string vocabulary, string? code) =>
        code is null ? "—" : reference.FindCode(vocabulary, code) is { } term ? Name(term) : code;

    public string AgencyName(string code) => Term(ReferenceData.Agencies, code);

    public string Facility(string? code) =>
        code is null ? "—" : facilities.Resolve(code) is { } f ? $"{f.Code} ({f.Name})" : code;

    /// <summary>
    /// The API's reason for refusing a field, in the user's language: the API answers in English (one rule, one place);
    /// the common reasons are said in Russian here, and anything else is shown as the API gave it.
    /// </summary>
    public string Reason(string reason)
    {
        if (!Russian) return reason;
        var parts = reason.Split("; did you mean ", 2);
        var main = parts[0];
        string? said = null;
        foreach (var (pattern, ru) in RussianReasons)
        {
            var match = pattern.Match(main);
            if (!match.Success) continue;
            said = match.Groups.Count > 1 ? string.Format(CultureInfo.CurrentCulture, ru, match.Groups.Values.Skip(1).Select(g => (object)g.Value).ToArray()) : ru;
            break;
        }
        said ??= main;
        return parts.Length > 1 ? $"{said}; возможно, имелось в виду {parts[1].TrimEnd('?')}?" : said;
    }

    private static readonly (Regex Pattern, string Ru)[] RussianReasons =
    [
        (new Regex(@"^is required"), "обязательное поле"),
        (new Regex(@"^must be greater than zero"), "должно быть больше нуля"),
        (new Regex(@"^is in the future"), "указано время в будущем"),
        (new Regex(@"^'(.+)' is not a known facility code or alias"), "«{0}» — неизвестное учреждение"),
        (new Regex(@"^'(.+)' is not a known code"), "«{0}» — нет такого значения в справочнике"),
        (new Regex(@"^must be at most (\d+) characters"), "не более {0} символов"),
        (new Regex(@"^must be an ISO 8601 date-time"), "укажите дату и время"),
        (new Regex(@"^must be a latitude"), "широта от −90 до 90"),
        (new Regex(@"^must be a longitude"), "долгота от −180 до 180"),
        (new Regex(@"lies outside Kyrgyzstan"), "точка вне Кыргызстана; отметьте «за границей», если изъято за рубежом"),
        (new Regex(@"^must be between (\S+) and (\S+)"), "должно быть от {0} до {1}"),
    ];
}
