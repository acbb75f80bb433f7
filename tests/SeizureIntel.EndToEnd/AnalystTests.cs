using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace SeizureIntel.EndToEnd;

[Collection(WebCollection.Name)]
public sealed class AnalystTests(WebNode node)
{
    [Fact]
    public async Task the_map_shows_sizo1s_seizures_in_bishkek_from_the_nodes_own_boundaries()
    {
        // Independently of the node: SIZO-1's demo seizures of 2014 by local date (Bishkek, UTC+6), from the demo file.
        var demo = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(Path.Combine(WebNode.RepositoryRoot, "src", "SeizureIntel", "Demo", "demo-seizures.json")));
        var sizo1 = demo.GetProperty("seizures").EnumerateArray()
            .Where(s => s.GetProperty("facilityId").GetString() is "SIZO-1" or "No. 21")
            .Count(s => DateTimeOffset.Parse(s.GetProperty("occurredAt").GetString()!).ToOffset(TimeSpan.FromHours(6)).Year == 2014);
        sizo1.ShouldBeGreaterThan(0);

        var page = await node.PageAsync("en-GB");
        await page.GotoAsync("/analysis?from=2014&to=2014&granularity=month");
        var map = page.Locator("#analysis-map[data-points]");
        await Assertions.Expect(map).ToHaveAttributeAsync("data-points", sizo1.ToString());
        // Seven oblasts drawn from /api/oblasts' own polygons, no tile server, and one marker where SIZO-1 is (Bishkek).
        await Assertions.Expect(page.Locator("#analysis-map .leaflet-overlay-pane path")).Not.ToHaveCountAsync(0);
        (await page.Locator("#analysis-map .leaflet-tile").CountAsync()).ShouldBe(0);
        var marker = page.Locator("#analysis-map path.leaflet-interactive[stroke='#1f4e79'][fill='#2e75b6']");
        await Assertions.Expect(marker).ToHaveCountAsync(1);
        await marker.ClickAsync(new() { Force = true });
        var popup = page.Locator(".leaflet-popup-content");
        await Assertions.Expect(popup).ToContainTextAsync($"{sizo1} seizures");
        await Assertions.Expect(popup).ToContainTextAsync("SIZO-1");
        await Assertions.Expect(page.GetByTestId("compare")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#trend-chart canvas")).ToHaveCountAsync(1);
        (await page.Locator("#trend-chart").GetAttributeAsync("data-periods")).ShouldBe("12");
        await WebNode.ShotAsync(page, "dashboard-en");

        // Click-through: the popup's first seizure opens its page.
        await popup.Locator("a").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("seizure-reference")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^SSEP-2014-"));
    }

    [Fact]
    public async Task the_filters_live_in_the_address_so_a_view_can_be_shared()
    {
        var page = await node.PageAsync("en-GB");
        await page.GotoAsync("/analysis?from=2015&to=2015&granularity=quarter&detection=xray-parcel");
        await Assertions.Expect(page.Locator("#trend-chart")).ToHaveAttributeAsync("data-periods", "4");
        await Assertions.Expect(page.Locator("#f-detection")).ToHaveValueAsync("X-ray of parcels");
        await page.Locator(".mud-select:has(#f-granularity) .mud-input-control").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "month", Exact = true }).ClickAsync();
        await page.Locator("#f-apply").ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("granularity=month"));
        page.Url.ShouldContain("detection=xray-parcel");
        await Assertions.Expect(page.Locator("#trend-chart")).ToHaveAttributeAsync("data-periods", "12");
    }

    [Fact]
    public async Task forms_work_from_the_keyboard_alone_with_labels_and_contrast_axe_accepts()
    {
        var page = await node.PageAsync("en-GB");
        await page.GotoAsync("/seizures/new");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Record a seizure");

        // Focus order follows the form: facility, when, substance, quantity, unit, detection.
        var order = new List<string>();
        await page.Locator("#facility").FocusAsync();
        for (var i = 0; i < 16 && order.Count < 6; i++)
        {
            var id = await page.EvaluateAsync<string?>(
                "() => { const e = document.activeElement; if (!e) return null; if (e.id) return e.id; const c = e.closest('.mud-input-control'); const i = c && c.querySelector('input[id]'); return i ? i.id : e.tagName; }");
            if (!string.IsNullOrEmpty(id) && (order.Count == 0 || order[^1] != id)) order.Add(id);
            await page.Keyboard.PressAsync("Tab");
            // As a person types: the interactive form re-renders over its circuit after each move, and a key pressed in
            // the middle of that (one loaded CI run) landed focus back on the previous field before going on.
            await page.WaitForTimeoutAsync(250);
        }
        order.Take(6).ShouldBe(["facility", "occurredAt", "substance", "quantity", "unit", "detection"]);

        foreach (var path in new[] { "/", "/seizures/new", "/reports/annual?year=2015&baseline=2014", "/sharing", "/operations" })
        {
            await page.GotoAsync(path);
            await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).WaitForAsync();
            var result = await page.RunAxe(new Deque.AxeCore.Commons.AxeRunOptions
            {
                RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions { Type = "rule", Values = ["label", "color-contrast", "button-name", "link-name", "html-has-lang", "document-title"] },
            });
            result.Violations.Select(v => $"{path}: {v.Id} {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}").ShouldBeEmpty();
        }
    }

    [Fact]
    public async Task each_main_page_renders_without_a_missing_text()
    {
        var page = await node.PageAsync("ru-RU");
        foreach (var (path, name) in new[] { ("/seizures?year=2015", "find-ru"), ("/operations", "board-ru"), ("/sharing", "sharing-ru"),
                     ("/analysis?from=2014&to=2015&granularity=quarter", "dashboard-ru"), ("/reports/annual?year=2015&baseline=2014", "report-ru"),
                     ("/analysis/effort?facility=SIZO-1&year=2015&baseline=2014", "effort-ru"),
                     ("/reports/annual?year=2015&baseline=2014&asOf=2016-01-31T00:00", "report-restatement-ru") })
        {
            await page.GotoAsync(path);
            await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).WaitForAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await WebNode.ShotAsync(page, name);
            (await page.ContentAsync()).ShouldNotContain("⟦", customMessage: path);
        }
    }

    /// <summary>
    /// The report's charts keep every label whole: in both languages, each text of each chart lies inside its chart
    /// and no two overlap, as the browser lays them out (real font metrics, Cyrillic names included); none is cut with "…".
    /// </summary>
    [Theory]
    [InlineData("en-GB")]
    [InlineData("ru-RU")]
    public async Task the_report_charts_labels_are_never_cut_off(string locale)
    {
        var page = await node.PageAsync(locale, "working-group");
        await page.GotoAsync("/reports/annual?year=2015&baseline=2014");
        var preview = page.GetByTestId("report-preview");
        await Assertions.Expect(preview).ToBeVisibleAsync();
        var frame = (await (await preview.ElementHandleAsync()).ContentFrameAsync())!;
        await frame.Locator("svg").First.WaitForAsync();
        var problems = await frame.EvaluateAsync<string[]>(@"() => [...document.querySelectorAll('svg')].flatMap(svg => {
            const vb = svg.viewBox.baseVal, out = [];
            const boxes = [...svg.querySelectorAll('text')].map(t => ({ text: t.textContent, b: t.getBBox() }));
            if (boxes.length === 0) out.push(svg.getAttribute('aria-label') + ': no labels');
            for (const { text, b } of boxes) {
              if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 || b.y + b.height > vb.y + vb.height + 0.5)
                out.push('outside the chart: ' + text);
              if (text.includes('…')) out.push('cut: ' + text);
            }
            for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
              const a = boxes[i].b, c = boxes[j].b;
              if (a.x < c.x + c.width - 0.5 && c.x < a.x + a.width - 0.5 && a.y < c.y + c.height - 0.5 && c.y < a.y + a.height - 0.5)
                out.push('overlapping: ' + boxes[i].text + ' / ' + boxes[j].text);
            }
            return out;
        })");
        problems.ShouldBeEmpty();
        await WebNode.ShotAsync(page, $"report-charts-{locale[..2]}");
    }
}
