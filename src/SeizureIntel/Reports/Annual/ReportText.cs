using System.Globalization;

namespace SeizureIntel.Reports.Annual;

/// <summary>
/// The report's words in the reader's language: English (the default, and the key) or Russian. The CSV keeps its
/// machine layout (section and column names) in every language; its names, the headline, the HTML and the XLSX
/// sheets and headings follow the language.
/// </summary>
public static class ReportText
{
    public const string English = "en";
    public const string Russian = "ru";
    public static readonly string[] Languages = [English, Russian];

    public static bool IsRussian(string? language) => language == Russian;

    /// <summary>The English text itself, or its Russian translation for a Russian report.</summary>
    public static string T(string? language, string english) =>
        IsRussian(language) && Ru.TryGetValue(english, out var ru) ? ru : english;

    public static string MonthName(string? language, int month) =>
        IsRussian(language)
            ? CultureInfo.GetCultureInfo("ru-RU").DateTimeFormat.GetMonthName(month) is var m && m.Length > 0 ? char.ToUpper(m[0], CultureInfo.GetCultureInfo("ru-RU")) + m[1..] : m
            : CultureInfo.InvariantCulture.DateTimeFormat.GetMonthName(month);

    private static readonly Dictionary<string, string> Ru = new()
    {
        ["By agency"] = "По ведомствам",
        ["By substance group (UNODC)"] = "По группам веществ (УНП ООН)",
        ["By substance"] = "По веществам",
        ["By facility"] = "По учреждениям",
        ["By oblast"] = "По областям",
        ["By how found (detection)"] = "По способу обнаружения",
        ["By method of entry"] = "По способу проникновения",
        ["By month (local date)"] = "По месяцам (местная дата)",
        ["agency"] = "ведомство",
        ["substance group"] = "группа веществ",
        ["substance"] = "вещество",
        ["facility"] = "учреждение",
        ["oblast"] = "область",
        ["detection"] = "способ обнаружения",
        ["method of entry"] = "способ проникновения",
        ["month"] = "месяц",
        ["no facility (own location)"] = "без учреждения (своё место)",
        ["unknown"] = "неизвестно",
        ["not recorded"] = "не указано",
        ["all agencies"] = "все ведомства",
        ["Annual comparison report"] = "Годовой сравнительный отчёт",
        ["Seizures of narcotic drugs: {0} compared with {1}"] = "Изъятия наркотических средств: {0} год в сравнении с {1}",
        ["Provenance"] = "Происхождение данных",
        ["Scope"] = "Охват",
        ["As of"] = "По состоянию на",
        ["{0} (events recorded up to this instant)"] = "{0} (события, записанные до этого момента)",
        ["now (current read models)"] = "сейчас (текущие данные)",
        ["Event-store high-water mark"] = "Последнее учтённое событие",
        ["Conversion table version"] = "Версия таблицы пересчёта",
        ["Node"] = "Узел",
        ["Generated at"] = "Сформирован",
        ["Masses are best weights: the forensic laboratory's net weight where there is one, else the field figure. Seizures count in the year and month of their local date. Seizures whose quantity has no known mass are counted but add no mass."] =
            "Масса — лучшая известная: масса нетто по заключению лаборатории, если оно есть, иначе полевая оценка. Изъятие учитывается в году и месяце своей местной даты. Изъятия без известной массы учитываются в числе, но не в массе.",
        ["Totals"] = "Итоги",
        ["measure"] = "показатель",
        ["unit"] = "единица",
        ["change, %"] = "изменение, %",
        ["seizures"] = "изъятия",
        ["count"] = "число",
        ["mass withdrawn"] = "изъятая масса",
        ["mass confirmed by the lab"] = "масса, подтверждённая лабораторией",
        ["share of mass confirmed by the lab"] = "доля массы, подтверждённой лабораторией",
        ["seizures without a known mass"] = "изъятия без известной массы",
        ["kg"] = "кг",
        ["g"] = "г",
        ["Charts"] = "Графики",
        ["Mass withdrawn by substance group, kg: {0} against {1}"] = "Изъятая масса по группам веществ, кг: {0} и {1}",
        ["Mass withdrawn by month (local date), kg: {0} and {1}"] = "Изъятая масса по месяцам (местная дата), кг: {0} и {1}",
        ["code"] = "код",
        ["seizures, count"] = "изъятий",
        ["mass, kg"] = "масса, кг",
        ["lab-confirmed, kg"] = "подтверждено лабораторией, кг",
        ["change of mass, %"] = "изменение массы, %",
        ["no seizures"] = "изъятий нет",
        ["Joint operations"] = "Совместные операции",
        ["operations launched"] = "начатые операции",
        ["operations launched, led by {0}"] = "начатые операции под руководством {0}",
        ["seizures linked"] = "привязанные изъятия",
        ["mass of linked seizures"] = "масса привязанных изъятий",
        ["arrests"] = "задержания",
        ["criminal cases opened"] = "возбуждённые уголовные дела",
        ["An operation counts in the year of its launch (Bishkek local date); cancelled operations count in no year."] =
            "Операция учитывается в году её начала (местная дата Бишкека); отменённые операции не учитываются.",
        // XLSX
        ["Summary"] = "Сводка",
        ["Agency"] = "Ведомство",
        ["Substance group"] = "Группа веществ",
        ["Substance"] = "Вещество",
        ["Facility"] = "Учреждение",
        ["Oblast"] = "Область",
        ["Detection"] = "Обнаружение",
        ["Method of entry"] = "Проникновение",
        ["Month"] = "Месяц",
        ["headline"] = "главное",
        ["year"] = "год",
        ["baseline"] = "базовый год",
        ["all"] = "все",
        ["as of (UTC)"] = "по состоянию на (UTC)",
        ["event-store high-water mark"] = "последнее учтённое событие",
        ["high-water mark source"] = "источник отметки",
        ["conversion table version"] = "версия таблицы пересчёта",
        ["node"] = "узел",
        ["generated at (UTC)"] = "сформирован (UTC)",
        ["change (%)"] = "изменение (%)",
        ["mass"] = "масса",
        ["lab-confirmed mass"] = "масса, подтверждённая лабораторией",
        ["lab-confirmed share"] = "доля, подтверждённая лабораторией",
        ["without mass"] = "без массы",
        ["operations"] = "операции",
        ["criminal cases"] = "уголовные дела",
        ["key"] = "код",
        ["name"] = "название",
        ["{0} seizures (count)"] = "{0}: изъятий",
        ["{0} mass (g)"] = "{0}: масса (г)",
        ["{0} lab-confirmed mass (g)"] = "{0}: подтверждено лабораторией (г)",
        ["{0} without mass (count)"] = "{0}: без массы",
        ["change of mass (%)"] = "изменение массы (%)",
        ["now"] = "сейчас",
        // Search effort
        ["Finds per search effort"] = "Находки в расчёте на досмотровую работу",
        ["No search effort was recorded in either year, so no rates can be given."] =
            "Досмотровая работа ни в одном из двух лет не учтена, поэтому показатели на 1000 досмотров не рассчитаны.",
        ["kind of effort"] = "вид работы",
        ["effort"] = "объём работы",
        ["finds"] = "находки",
        ["finds per 1,000"] = "находок на 1000",
        ["g per 1,000"] = "г на 1000",
        ["no effort recorded"] = "работа не учтена",
        ["screenings"] = "досмотров",
        ["hours"] = "часов",
        ["Effort"] = "Досмотровая работа",
        ["Finds of the matching detection method per 1,000 screenings (per 1,000 hours for dog teams), over the months with effort recorded; months without effort are left out."] =
            "Находки соответствующим способом обнаружения на 1000 досмотров (на 1000 часов для кинологов) за месяцы с учтённой работой; месяцы без учёта работы не включены.",
        // The change in grams, decomposed
        ["Change in grams"] = "Изменение массы",
        ["value"] = "значение",
        ["change"] = "изменение",
        ["from the number of seizures"] = "за счёт числа изъятий",
        ["from their size"] = "за счёт их размера",
        ["seizures with mass"] = "изъятий с известной массой",
        ["mean seizure"] = "средняя масса изъятия",
        ["from the largest 1 %"] = "за счёт крупнейших 1 %",
        ["largest seizure"] = "крупнейшее изъятие",
        ["bootstrap 95 % interval, lower"] = "бутстреп 95 % интервал, нижняя граница",
        ["bootstrap 95 % interval, upper"] = "бутстреп 95 % интервал, верхняя граница",
        ["share of grams with lab purity"] = "доля массы с известной чистотой",
        ["pure substance"] = "чистое вещество",
        // Beside the national figures (UNODC)
        ["Beside the national figures"] = "В сравнении с национальными данными",
        ["National"] = "Национальные данные",
        ["Source: {0}, edition {1} (file sha256 {2}, imported {3})."] = "Источник: {0}, издание {1} (файл sha256 {2}, загружен {3}).",
        ["mass in this report, kg"] = "масса по отчёту, кг",
        ["reported to UNODC, kg"] = "сообщено в UNODC, кг",
        ["share, %"] = "доля, %",
        ["caveats"] = "оговорки",
        ["country"] = "страна",
        ["source"] = "источник",
        ["edition"] = "издание",
        ["file sha256"] = "файл sha256",
        ["imported"] = "загружено",
        ["Shares set this report's best weights beside the kilogram equivalents the country reported to UNODC for the same substance group and year; a caveat (financial year, part of the year, customs only) belongs to the national figure. No figure: the edition has none for that group and year."] =
            "Доля — лучшая известная масса этого отчёта по отношению к эквиваленту в килограммах, о котором страна сообщила в UNODC по той же группе веществ за тот же год; оговорка (финансовый год, часть года, только таможня) относится к национальной цифре. Нет цифры — в издании её нет для этой группы и года.",
        ["no figure"] = "нет данных",
    };
}
