<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>evalkit: laporan evaluasi pelatihan ASN / ASN training evaluation reports</title>
<style>{{ css | safe }}</style></head><body>
<h1>evalkit: Evaluasi Pelatihan ASN / ASN Training Evaluation</h1>
<p class="muted">Semua angka dihitung ulang dari data oleh notebook di bawah ini. /
Every number is recomputed from the data by the notebooks below.</p>
<h2>Laporan per wilayah / Region reports</h2>
<table>
{%- if regions -%}
<tr><th>Wilayah / Region</th>{% for lang in languages %}<th>{{ lang }}</th>{% endfor %}</tr>
{%- for row in regions -%}
<tr><td>{{ row.label }}</td>{% for cell in row.cells %}<td>
{%- if cell.href -%}<a href="{{ cell.href }}">{{ cell.text }}</a>{% if cell.mark %} {{ cell.mark | safe }}{% endif %}
{%- elif cell.text -%}{{ cell.text }} {{ cell.mark | safe }}
{%- endif -%}
</td>{% endfor %}</tr>
{%- endfor -%}
{%- else -%}
<tr><td class="muted">-</td></tr>
{%- endif -%}
</table>
<h2>Notebook analisis / Analysis notebooks</h2>
<table>
{%- for row in notebooks -%}
<tr><td>{% if row.href %}<a href="{{ row.href }}">{{ row.title }}</a>{% else %}{{ row.title }}{% endif %}
{%- if row.mark %} {{ row.mark | safe }}{% endif %}</td><td class="muted">{{ row.file }}</td></tr>
{%- endfor -%}
</table>
<p class="muted">Gambar / figures: <a href="figures/">figures/</a> · Tabel / tables: <a href="tables/">tables/</a></p>
</body></html>
